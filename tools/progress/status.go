package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// state is how far a step is.
type state int

const (
	todo    state = iota // no test passes yet
	failing              // under way: some tests pass, some fail
	hanging              // a test never finished
	done                 // every test passes
)

func (s state) mark() string {
	return [...]string{"[ ]", "[~]", "[!]", "[x]"}[s]
}

// stepStatus is one step of one lesson, with its tests' outcome.
type stepStatus struct {
	course.Step
	state  state
	tests  []course.TestResult
	passed int
}

// lessonStatus is a lesson's steps after one run of its tests.
type lessonStatus struct {
	lesson   course.Lesson
	steps    []stepStatus
	problem  string // the tests could not run at all (a build error, say)
	timedOut bool
}

// complete reports whether every step of the lesson passes.
func (ls lessonStatus) complete() bool {
	if ls.problem != "" || len(ls.steps) == 0 {
		return false
	}
	for _, s := range ls.steps {
		if s.state != done {
			return false
		}
	}
	return true
}

// next returns the first step that does not pass yet, or nil.
func (ls lessonStatus) next() *stepStatus {
	for i := range ls.steps {
		if ls.steps[i].state != done {
			return &ls.steps[i]
		}
	}
	return nil
}

// check runs a lesson's tests and sorts them by step.
func (p *progress) check(ctx context.Context, l course.Lesson) lessonStatus {
	described, _ := course.ReadSteps(l.Dir)
	// No -count=1: go test reuses the result of a package whose files have
	// not changed, so finished lessons cost nothing on the next run.
	run := course.RunTests(ctx, l.Dir, p.limit+30*time.Second, "-timeout="+p.limit.String(), ".")
	return summarize(l, described, run)
}

// summarize turns one test run into the state of each step.
func summarize(l course.Lesson, described []course.Step, run course.Run) lessonStatus {
	ls := lessonStatus{lesson: l, timedOut: run.TimedOut}
	if !run.Built {
		ls.problem = "the tests did not build or start:\n" + lastLines(run.Output, 15)
		return ls
	}
	titles := map[int]course.Step{}
	for _, s := range described {
		titles[s.Number] = s
	}
	// A step that README.md describes but whose tests never ran (the run
	// stopped at a hanging test first) still belongs on the checklist.
	numbers := run.Steps()
	for _, d := range described {
		if len(run.StepTests(d.Number)) == 0 {
			numbers = append(numbers, d.Number)
		}
	}
	sort.Ints(numbers)
	for _, n := range numbers {
		step, ok := titles[n]
		if !ok {
			step = course.Step{Number: n, Title: "(no section in README.md)"}
		}
		st := stepStatus{Step: step, tests: run.StepTests(n)}
		for _, t := range st.tests {
			switch {
			case t.Passed():
				st.passed++
			case t.Action == "":
				st.state = hanging
			}
		}
		switch {
		case st.state == hanging:
		case len(st.tests) == 0:
			st.state = todo // Its tests did not run.
		case st.passed == len(st.tests):
			st.state = done
		case st.passed == 0:
			st.state = todo
		default:
			st.state = failing
		}
		ls.steps = append(ls.steps, st)
	}
	return ls
}

// overview prints every lesson's checklist, then the next step in detail.
func (p *progress) overview(ctx context.Context) error {
	lessons, err := course.Lessons(p.root)
	if err != nil {
		return err
	}
	fmt.Fprintln(p.out, "Sockets in Go, step by step: your progress")
	// Every lesson runs: a starter fails in a second or two, and a finished
	// lesson's result comes from go test's cache. The next step is in the
	// first lesson that is not complete.
	var current *lessonStatus
	for _, l := range lessons {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ls := p.check(ctx, l)
		p.printChecklist(ls)
		if current == nil && !ls.complete() {
			current = &ls
		}
	}
	if current == nil {
		fmt.Fprintln(p.out, "\nEvery step of every lesson passes. Well done! Compare with solutions/, and measure: docs/benchmarks.md")
		return nil
	}
	p.printNext(*current)
	return nil
}

func (p *progress) printChecklist(ls lessonStatus) {
	fmt.Fprintf(p.out, "\n%s  (%s)\n", ls.lesson.Title(), relTo(p.root, ls.lesson.Dir))
	if ls.problem != "" {
		fmt.Fprintf(p.out, "  %s\n", indent(ls.problem))
		return
	}
	for _, s := range ls.steps {
		detail := ""
		switch s.state {
		case failing:
			detail = fmt.Sprintf("   %d of %d tests pass", s.passed, len(s.tests))
		case hanging:
			detail = "   a test hangs"
		}
		fmt.Fprintf(p.out, "  %s Step %d — %s%s\n", s.state.mark(), s.Number, s.Title, detail)
	}
}

// printNext shows the next step: where to work, how to test it, the hint,
// and the first failure's own words.
func (p *progress) printNext(ls lessonStatus) {
	dir := relTo(p.root, ls.lesson.Dir)
	if ls.problem != "" {
		fmt.Fprintf(p.out, "\nNext: make %s build again (see above), then: cd %s && go test\n", ls.lesson.Title(), dir)
		return
	}
	s := ls.next()
	if s == nil {
		return
	}
	fmt.Fprintf(p.out, "\nNext: %s, Step %d — %s\n", ls.lesson.Title(), s.Number, s.Title)
	fmt.Fprintf(p.out, "  Read: %s/README.md#%s\n", dir, s.Anchor)
	fmt.Fprintf(p.out, "  Test: cd %s && go test -run Step%d\n", dir, s.Number)
	if s.Hint != "" {
		fmt.Fprintf(p.out, "  Hint: %s\n", wrap(s.Hint, 72, "        "))
	}
	for _, t := range s.tests {
		switch {
		case t.Action == "":
			fmt.Fprintf(p.out, "  %s hung: it was still running after %s. Some call in your code blocks and never returns.\n", t.Name, p.limit)
			return
		case !t.Passed():
			fmt.Fprintf(p.out, "  First failure, %s:\n%s\n", t.Name, indent(failureText(t.Output)))
			return
		}
	}
}

// failureText keeps the lines a test printed about its failure.
func failureText(output string) string {
	var keep []string
	for _, line := range strings.Split(output, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "=== ") || strings.HasPrefix(trimmed, "--- ") {
			continue
		}
		keep = append(keep, trimmed)
	}
	return lastLines(strings.Join(keep, "\n"), 12)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// wrap folds text at width, indenting the lines after the first.
func wrap(text string, width int, prefix string) string {
	var b strings.Builder
	col := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && col+1+len(word) > width {
			b.WriteString("\n" + prefix)
			col = 0
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

func relTo(root, dir string) string {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return dir
	}
	return filepath.ToSlash(rel)
}
