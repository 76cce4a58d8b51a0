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

var stepHeading = regexp.MustCompile(`^### Step (\d+) — (.+)$`)

// ReadSteps reads the `### Step N — Title` sections of dir/README.md and the
// `**Hint:**` paragraph of each.
func ReadSteps(dir string) ([]Step, error) {
	text, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	var steps []Step
	var current *Step
	var hint []string // lines of the hint paragraph being read
	inHint := false
	for _, line := range strings.Split(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n") {
		if m := stepHeading.FindStringSubmatch(line); m != nil {
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
		case strings.HasPrefix(line, "**Hint:**"):
			inHint = true
			hint = []string{strings.TrimSpace(strings.TrimPrefix(line, "**Hint:**"))}
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
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
