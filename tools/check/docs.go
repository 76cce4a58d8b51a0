package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// markdown is one Markdown file, split into prose lines and code blocks.
type markdown struct {
	rel      string      // path relative to the repository root, with slashes
	prose    []string    // lines outside fenced code blocks
	blocks   []codeBlock // fenced code blocks
	headings []string    // anchors of its headings
}

type codeBlock struct {
	lang  string
	lines []string
}

func readMarkdown(root, rel string) (*markdown, error) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	md := &markdown{rel: rel}
	var block *codeBlock
	fence := ""
	seen := map[string]int{}
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if block != nil {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				md.blocks = append(md.blocks, *block)
				block = nil
			} else {
				block.lines = append(block.lines, line)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			block = &codeBlock{lang: strings.TrimSpace(strings.Trim(trimmed, "`~"))}
			continue
		}
		md.prose = append(md.prose, line)
		if m := headingLine.FindStringSubmatch(line); m != nil {
			// GitHub numbers repeated headings: "usage", "usage-1", ...
			slug := course.Slug(stripMarkup(m[1]))
			if n := seen[slug]; n > 0 {
				md.headings = append(md.headings, fmt.Sprintf("%s-%d", slug, n))
			} else {
				md.headings = append(md.headings, slug)
			}
			seen[slug]++
		}
	}
	return md, nil
}

var (
	headingLine = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*$`)
	linkTarget  = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	htmlSource  = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	codeSpan    = regexp.MustCompile("`[^`]*`")
)

// stripMarkup removes the Markdown that GitHub drops from a heading's anchor.
func stripMarkup(s string) string {
	s = strings.NewReplacer("`", "", "*", "").Replace(s)
	return regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(s, "$1")
}

// markdownFiles lists every Markdown file of the repository.
func (c *checker) markdownFiles() []*markdown {
	files, err := listFiles(c.root)
	if err != nil {
		c.fail("docs", "%v", err)
		return nil
	}
	var docs []*markdown
	for _, f := range files {
		if !strings.HasSuffix(f, ".md") {
			continue
		}
		md, err := readMarkdown(c.root, f)
		if err != nil {
			c.fail("docs: "+f, "%v", err)
			continue
		}
		docs = append(docs, md)
	}
	return docs
}

// checkDocs checks every link in every Markdown file, and every step that a
// lesson's README and chapter name.
func (c *checker) checkDocs(lessons []course.Lesson) {
	c.start("docs: links")
	docs := c.markdownFiles()
	byPath := map[string]*markdown{}
	for _, md := range docs {
		byPath[md.rel] = md
	}
	var broken []string
	links := 0
	for _, md := range docs {
		for i, line := range md.prose {
			line = codeSpan.ReplaceAllString(line, "")
			var targets []string
			for _, m := range linkTarget.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, m := range htmlSource.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				links++
				if problem := c.checkLink(md, target, byPath); problem != "" {
					broken = append(broken, fmt.Sprintf("%s (prose line %d): %s: %s", md.rel, i+1, target, problem))
				}
			}
		}
	}
	if len(broken) > 0 {
		c.fail("docs: links", "%s", strings.Join(broken, "\n"))
	} else {
		c.pass("docs: links", fmt.Sprintf("%d links in %d files", links, len(docs)))
	}

	for _, l := range lessons {
		c.checkSteps(l, docs)
	}
}

// checkLink returns what is wrong with one link, or "".
func (c *checker) checkLink(from *markdown, target string, byPath map[string]*markdown) string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return "" // The outside world is not checked here.
	}
	path, anchor, _ := strings.Cut(target, "#")
	rel := from.rel
	if strings.HasPrefix(path, "/") {
		// GitHub reads a link that starts with / from the repository's root:
		// the way a lesson's README, copied word for word into solutions/,
		// links to docs/ from both places.
		rel = strings.TrimPrefix(path, "/")
		if _, err := os.Stat(filepath.Join(c.root, rel)); err != nil {
			return "no such file"
		}
	} else if path != "" {
		rel = filepath.ToSlash(filepath.Join(filepath.Dir(from.rel), path))
		if strings.HasPrefix(rel, "../") {
			return "points outside the repository"
		}
		if _, err := os.Stat(filepath.Join(c.root, rel)); err != nil {
			return "no such file"
		}
	}
	if anchor == "" || !strings.HasSuffix(rel, ".md") {
		return ""
	}
	md := byPath[rel]
	if md == nil {
		return ""
	}
	for _, h := range md.headings {
		if h == anchor {
			return ""
		}
	}
	return fmt.Sprintf("%s has no heading with the anchor #%s", rel, anchor)
}

var (
	stepMention = regexp.MustCompile(`\bStep ?(\d+)\b`)
	testMention = regexp.MustCompile(`\bTestStep\d+_\w+`)
	testFunc    = regexp.MustCompile(`(?m)^func (TestStep(\d+)_\w+)\(`)
)

// stepTestsOf reads a lesson's test files for its TestStepN_ functions.
func stepTestsOf(dir string) (names []string, steps []int) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	seen := map[int]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(data), -1) {
			names = append(names, m[1])
			n, _ := strconv.Atoi(m[2])
			if !seen[n] {
				seen[n] = true
				steps = append(steps, n)
			}
		}
	}
	return names, steps
}

// checkSteps matches a lesson's README sections with its step tests, and
// every "Step N" or TestStepN_... that its README and chapter mention with a
// step that exists.
func (c *checker) checkSteps(l course.Lesson, docs []*markdown) {
	name := "docs: steps of " + l.Title()
	tests, testSteps := stepTestsOf(l.Dir)
	sections, err := course.ReadSteps(l.Dir)
	if err != nil {
		c.fail(name, "reading the lesson README: %v", err)
		return
	}
	var problems []string
	described := map[int]bool{}
	for _, s := range sections {
		described[s.Number] = true
		if s.Hint == "" {
			problems = append(problems, fmt.Sprintf("README.md: \"Step %d — %s\" has no **Hint:** paragraph", s.Number, s.Title))
		}
	}
	exists := map[int]bool{}
	for _, n := range testSteps {
		exists[n] = true
		if !described[n] {
			problems = append(problems, fmt.Sprintf("README.md has no section \"### Step %d — ...\" for the tests of step %d", n, n))
		}
	}
	for _, s := range sections {
		if !exists[s.Number] {
			problems = append(problems, fmt.Sprintf("README.md describes Step %d, but no test is named TestStep%d_...", s.Number, s.Number))
		}
	}
	isTest := map[string]bool{}
	for _, t := range tests {
		isTest[t] = true
	}
	chapterPrefix := fmt.Sprintf("docs/%02d-", l.Number)
	for _, md := range docs {
		if md.rel != l.Name+"/README.md" && !strings.HasPrefix(md.rel, chapterPrefix) {
			continue
		}
		text := strings.Join(md.prose, "\n")
		for _, b := range md.blocks {
			text += "\n" + strings.Join(b.lines, "\n")
		}
		for _, m := range stepMention.FindAllStringSubmatch(text, -1) {
			if n, _ := strconv.Atoi(m[1]); !exists[n] {
				problems = append(problems, fmt.Sprintf("%s names %q, but the lesson has steps %v", md.rel, m[0], testSteps))
			}
		}
		for _, m := range testMention.FindAllString(text, -1) {
			if !isTest[m] {
				problems = append(problems, fmt.Sprintf("%s names %s, which is not a test of %s", md.rel, m, l.Name))
			}
		}
	}
	if len(problems) > 0 {
		c.fail(name, "%s", strings.Join(dedupe(problems), "\n"))
		return
	}
	c.pass(name, fmt.Sprintf("%d steps, each with tests, a README section and a hint", len(testSteps)))
}

func dedupe(lines []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
