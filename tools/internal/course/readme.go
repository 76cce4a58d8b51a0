package course

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Step is one step as the lesson's README describes it.
type Step struct {
	Number int
	Title  string // "Listen and report the address"
	Hint   string // the text of the **Hint:** paragraph, on one line
	Anchor string // the GitHub anchor of the step's heading
}

// Edition is one language's edition of a lesson README: its file name, the
// word its step headings start with, and the words a hint paragraph starts with.
type Edition struct {
	File string // "README.md"
	Step string // "Step", as in "### Step 1 — Title"
	Hint string // "**Hint:**"
}

// English is the lesson README every lesson has; Spanish is its twin,
// README.es.md, with `### Paso N — Título` sections and `**Pista:**` hints.
var (
	English = Edition{File: "README.md", Step: "Step", Hint: "**Hint:**"}
	Spanish = Edition{File: "README.es.md", Step: "Paso", Hint: "**Pista:**"}
)

// ReadSteps reads the `### Step N — Title` sections of dir/README.md and the
// `**Hint:**` paragraph of each.
func ReadSteps(dir string) ([]Step, error) {
	return ReadEditionSteps(dir, English)
}

// ReadEditionSteps reads the step sections of one edition of dir's README.
func ReadEditionSteps(dir string, e Edition) ([]Step, error) {
	text, err := os.ReadFile(filepath.Join(dir, e.File))
	if err != nil {
		return nil, err
	}
	heading := regexp.MustCompile(`^### ` + regexp.QuoteMeta(e.Step) + ` (\d+) — (.+)$`)
	var steps []Step
	var current *Step
	var hint []string // lines of the hint paragraph being read
	inHint := false
	for _, line := range strings.Split(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			steps = append(steps, Step{Number: n, Title: m[2], Anchor: Slug(line[4:])})
			current, inHint, hint = &steps[len(steps)-1], false, nil
			continue
		}
		if strings.HasPrefix(line, "#") {
			current, inHint = nil, false
			continue
		}
		if current == nil {
			continue
		}
		switch {
		case strings.HasPrefix(line, e.Hint):
			inHint = true
			hint = []string{strings.TrimSpace(strings.TrimPrefix(line, e.Hint))}
		case inHint && strings.TrimSpace(line) == "":
			inHint = false
		case inHint:
			hint = append(hint, strings.TrimSpace(line))
		}
		if hint != nil {
			current.Hint = strings.Join(hint, " ")
		}
	}
	return steps, nil
}

// Slug is the anchor GitHub gives a heading: lower case, punctuation dropped,
// spaces turned into hyphens ("Step 1 — Listen" becomes "step-1--listen").
// Letters keep their accents: "Paso 1 — Escuchar en la dirección" becomes
// "paso-1--escuchar-en-la-dirección".
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
