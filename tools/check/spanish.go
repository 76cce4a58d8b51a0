package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The course has a Spanish edition: every learner-facing English page has a
// Spanish twin, and checkSpanish keeps the two in step. Prose is free to
// differ (it is a translation, not a word-for-word copy); what a learner
// acts on is not: the steps and their hints, the shell commands, the
// diagrams, the pages a page sends the reader to, and its anchors. The
// commands of the Spanish pages are checked like the English ones by
// checkDocCommands and their links by checkDocs, which read every page.

// spanishTwin returns the path of the Spanish twin of an English page:
// README.md -> README.es.md beside it, docs/X.md -> docs/es/X.md.
func spanishTwin(rel string) string {
	if dir, name := filepath.Split(rel); strings.TrimSuffix(dir, "/") == "docs" {
		return "docs/es/" + name
	}
	return strings.TrimSuffix(rel, ".md") + ".es.md"
}

// englishPages lists the learner-facing English pages: the root README,
// every lesson's README and its solution's copy, and every page of docs/
// (not docs/es/, which holds the twins).
func englishPages(root string) []string {
	pages := []string{"README.md"}
	for _, pattern := range []string{"lesson*/README.md", "solutions/lesson*/README.md", "docs/*.md"} {
		found, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		for _, f := range found {
			rel, _ := filepath.Rel(root, f)
			pages = append(pages, filepath.ToSlash(rel))
		}
	}
	sort.Strings(pages[1:])
	return pages
}

// checkSpanish checks every English page against its Spanish twin.
func (c *checker) checkSpanish() {
	inStep, pages, problems := c.spanishProblems()
	if len(problems) > 0 {
		c.fail("docs: Spanish edition", "%d of %d English pages have a Spanish twin in step; update the page each line names:\n%s",
			inStep, pages, strings.Join(problems, "\n"))
		return
	}
	c.pass("docs: Spanish edition", fmt.Sprintf("%d page pairs in step", inStep))
}

// spanishProblems compares every English page with its twin. It returns
// how many pages have a twin in step, how many English pages there are,
// and what is out of step, missing twins last.
func (c *checker) spanishProblems() (inStep, pages int, problems []string) {
	var missing []string
	english := map[string]bool{}
	all := englishPages(c.root)
	for _, p := range all {
		english[p] = true
	}
	for _, p := range all {
		twin := spanishTwin(p)
		if _, err := os.Stat(filepath.Join(c.root, twin)); err != nil {
			missing = append(missing, fmt.Sprintf("%s: missing: write the Spanish twin of %s", twin, p))
			continue
		}
		en, err1 := readMarkdown(c.root, p)
		es, err2 := readMarkdown(c.root, twin)
		if err1 != nil || err2 != nil {
			problems = append(problems, fmt.Sprintf("%s: reading it or %s: %v %v", twin, p, err1, err2))
			continue
		}
		found := c.comparePages(en, es, english)
		if len(found) == 0 {
			inStep++
		}
		problems = append(problems, found...)
	}
	return inStep, len(all), dedupe(append(problems, missing...))
}

// comparePages returns what the Spanish page es lacks or has that the
// English page en does not, each line naming the Spanish page and the
// section to update. english lists the pages that have a twin, for links.
func (c *checker) comparePages(en, es *markdown, english map[string]bool) []string {
	var problems []string
	say := func(format string, args ...any) {
		problems = append(problems, es.rel+": "+fmt.Sprintf(format, args...))
	}

	// The language switch, first line of both pages.
	if !startsWithSwitch(c, en, es.rel, "English · [Español](") {
		say("%s must start with the language switch line \"English · [Español](%s)\"", en.rel, relLink(en.rel, es.rel))
	}
	if !startsWithSwitch(c, es, en.rel, "[English](") || !strings.HasSuffix(firstLine(es), ") · Español") {
		say("must start with the language switch line \"[English](%s) · Español\"", relLink(es.rel, en.rel))
	}

	// Steps and hints.
	enSteps, enHints := stepsAndHints(en, englishStep, "**Hint:**")
	esSteps, esHints := stepsAndHints(es, spanishStep, "**Pista:**")
	if fmt.Sprint(enSteps) != fmt.Sprint(esSteps) {
		say("has step sections %s, the English %s has %s (\"### Step N — Title\" is \"### Paso N — Título\")",
			stepList(esSteps, "Paso"), en.rel, stepList(enSteps, "Step"))
	}
	for _, n := range union(keysOf(enHints), keysOf(esHints)) {
		if enHints[n] != esHints[n] {
			say("%s has %d **Pista:** paragraph(s), the English %s has %d **Hint:** paragraph(s)", strings.Replace(n, "step", "Paso", 1), esHints[n], en.rel, enHints[n])
		}
	}

	// Code blocks, shell commands, diagrams.
	enHeads, esHeads := blockHeadings(c.root, en.rel), blockHeadings(c.root, es.rel)
	if len(en.blocks) != len(es.blocks) {
		say("has %d code blocks, the English %s has %d (%s)", len(es.blocks), en.rel, len(en.blocks), firstBlockDifference(en, es, enHeads, esHeads))
	}
	if a, b := countLang(en, "mermaid"), countLang(es, "mermaid"); a != b {
		say("has %d Mermaid diagrams, the English %s has %d", b, en.rel, a)
	}
	enShell, esShell := shellBlocks(en, enHeads), shellBlocks(es, esHeads)
	for i := 0; i < len(enShell) || i < len(esShell); i++ {
		switch {
		case i >= len(esShell):
			say("lacks shell block %d of the English %s (under %q): %s", i+1, en.rel, enShell[i].heading, quoteCommands(enShell[i].commands))
		case i >= len(enShell):
			say("has shell block %d (under %q), which the English %s lacks: %s", i+1, esShell[i].heading, en.rel, quoteCommands(esShell[i].commands))
		case strings.Join(enShell[i].commands, "\n") != strings.Join(esShell[i].commands, "\n"):
			say("shell block %d (under %q) must hold the commands of the English %s (under %q): %s, not %s", i+1, esShell[i].heading,
				en.rel, enShell[i].heading, quoteCommands(enShell[i].commands), quoteCommands(esShell[i].commands))
		}
	}

	// Links: every page the English sends the reader to, the Spanish sends
	// the reader to its twin; every anchor of the Spanish page resolves.
	esTargets := map[string]bool{}
	for _, t := range linksOf(es) {
		if page := resolveLink(es.rel, t); page != "" {
			esTargets[page] = true
		}
	}
	byPath := map[string]*markdown{es.rel: es}
	for _, t := range linksOf(en) {
		page := resolveLink(en.rel, t)
		if page == "" || page == en.rel || !english[page] {
			continue // Outside the course, a heading of the same page, or a page with no twin.
		}
		if twin := spanishTwin(page); !esTargets[twin] {
			say("links to no %s, the twin of %s that the English %s links to", twin, page, en.rel)
		}
	}
	for _, t := range linksOf(es) {
		path, anchor, _ := strings.Cut(t, "#")
		if anchor == "" || strings.Contains(path, "://") {
			continue
		}
		target := resolveLink(es.rel, t)
		if target == "" {
			continue
		}
		md := byPath[target]
		if md == nil {
			var err error
			if md, err = readMarkdown(c.root, target); err != nil {
				continue // A missing file is the link check's to report.
			}
			byPath[target] = md
		}
		if !hasHeading(md, anchor) {
			say("the link %s points at no heading of %s (anchors keep accents: \"## Paso 1 — Escucha\" is #paso-1--escucha)", t, target)
		}
	}
	return problems
}

var (
	englishStep = regexp.MustCompile(`^#{2,4} Step (\d+) — `)
	spanishStep = regexp.MustCompile(`^#{2,4} Paso (\d+) — `)
	anyHeading  = regexp.MustCompile(`^#{1,3}\s`)
)

// stepsAndHints lists the step numbers of a page's step sections in order,
// and counts its hint paragraphs by where they are: "Step N" (or "Paso N",
// both written as "step N") or "outside the steps".
func stepsAndHints(md *markdown, step *regexp.Regexp, hint string) ([]string, map[string]int) {
	var steps []string
	hints := map[string]int{}
	where := "outside the steps"
	for _, line := range md.prose {
		if m := step.FindStringSubmatch(line); m != nil {
			steps = append(steps, m[1])
			where = "step " + m[1]
		} else if anyHeading.MatchString(line) {
			where = "outside the steps"
		}
		if strings.HasPrefix(line, hint) {
			hints[where]++
		}
	}
	return steps, hints
}

func stepList(steps []string, word string) string {
	if len(steps) == 0 {
		return "none"
	}
	return word + " " + strings.Join(steps, ", ")
}

func keysOf(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func countLang(md *markdown, lang string) int {
	n := 0
	for _, b := range md.blocks {
		if strings.Fields(b.lang + " x")[0] == lang {
			n++
		}
	}
	return n
}

// shellBlock is the commands of one shell block and the heading above it.
type shellBlock struct {
	heading  string
	commands []string
}

// shellBlocks reads a page's shell blocks as a reader runs them: comments
// (which a translation translates) dropped, continuation lines joined.
func shellBlocks(md *markdown, heads []string) []shellBlock {
	var out []shellBlock
	for i, b := range md.blocks {
		if isShell(b.lang) {
			var commands []string
			for _, line := range joinContinuations(b.lines) {
				commands = append(commands, dropComment(line))
			}
			out = append(out, shellBlock{heading: headingOf(heads, i), commands: commands})
		}
	}
	return out
}

// dropComment removes a trailing " # comment" that is outside quotes, which
// joinContinuations keeps when a quote comes before it.
func dropComment(line string) string {
	quote := rune(0)
	for i, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
		case r == '"' || r == '\'':
			quote = r
		case r == '#' && i > 0 && (line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

// blockHeadings returns, for each code block of a page, the text of the
// last heading above it, so that a message can say which section to update.
// It reads the file again with readMarkdown's rules for fences.
func blockHeadings(root, rel string) []string {
	data, _ := os.ReadFile(filepath.Join(root, rel))
	var out []string
	heading, fence := "the top of the page", ""
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			out = append(out, heading)
			continue
		}
		if m := headingLine.FindStringSubmatch(line); m != nil {
			heading = m[1]
		}
	}
	return out
}

func headingOf(heads []string, i int) string {
	if i < len(heads) {
		return heads[i]
	}
	return "the end of the page"
}

func firstBlockDifference(en, es *markdown, enHeads, esHeads []string) string {
	for i := 0; i < len(en.blocks) && i < len(es.blocks); i++ {
		a, b := strings.Fields(en.blocks[i].lang + " text")[0], strings.Fields(es.blocks[i].lang + " text")[0]
		if a != b {
			return fmt.Sprintf("block %d is %s under %q in English, %s under %q in Spanish", i+1, a, headingOf(enHeads, i), b, headingOf(esHeads, i))
		}
	}
	if len(en.blocks) > len(es.blocks) {
		i := len(es.blocks)
		return fmt.Sprintf("the first missing is under %q", headingOf(enHeads, i))
	}
	i := len(en.blocks)
	return fmt.Sprintf("the first extra one is under %q", headingOf(esHeads, i))
}

func quoteCommands(commands []string) string {
	if len(commands) == 0 {
		return "(no command)"
	}
	return "`" + strings.Join(commands, "` / `") + "`"
}

// linksOf lists the link targets in a page's prose, as checkDocs reads them.
func linksOf(md *markdown) []string {
	var targets []string
	for _, line := range md.prose {
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range linkTarget.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		for _, m := range htmlSource.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
	}
	return targets
}

// resolveLink returns the Markdown page a link from page from points at,
// relative to the repository root, or "" if it is not a page of the course.
func resolveLink(from, target string) string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return ""
	}
	path, _, _ := strings.Cut(target, "#")
	var rel string
	switch {
	case path == "":
		rel = from
	case strings.HasPrefix(path, "/"):
		rel = strings.TrimPrefix(path, "/")
	default:
		rel = filepath.ToSlash(filepath.Join(filepath.Dir(from), path))
	}
	if !strings.HasSuffix(rel, ".md") || strings.HasPrefix(rel, "../") {
		return ""
	}
	return rel
}

// relLink is the relative link from page from to page to.
func relLink(from, to string) string {
	rel, err := filepath.Rel(filepath.Dir(from), to)
	if err != nil {
		return to
	}
	return filepath.ToSlash(rel)
}

func hasHeading(md *markdown, anchor string) bool {
	for _, h := range md.headings {
		if h == anchor {
			return true
		}
	}
	return false
}

func firstLine(md *markdown) string {
	for _, line := range md.prose {
		if strings.TrimSpace(line) != "" {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// startsWithSwitch reports whether the first line of md starts with prefix
// and holds a link to the page twin.
func startsWithSwitch(c *checker, md *markdown, twin, prefix string) bool {
	line := firstLine(md)
	if !strings.HasPrefix(line, prefix) {
		return false
	}
	for _, m := range linkTarget.FindAllStringSubmatch(line, -1) {
		if resolveLink(md.rel, m[1]) == twin {
			return true
		}
	}
	return false
}
