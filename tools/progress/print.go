package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// ANSI colours: green for done, yellow for under way, red for failing.
const (
	green  = "32"
	yellow = "33"
	red    = "31"
	bold   = "1"
)

// paint colours s when the output is a terminal that wants colour.
func (p *progress) paint(color, s string) string {
	if !p.color || s == "" || color == "" {
		return s
	}
	return "\x1b[" + color + "m" + s + "\x1b[0m"
}

func (s state) color() string {
	switch s {
	case done:
		return green
	case underway:
		return yellow
	case failing, hanging:
		return red
	}
	return ""
}

// printHeader prints the title and how many steps of the shown lessons pass.
func (p *progress) printHeader(statuses []lessonStatus) {
	doneSteps, steps := 0, 0
	for _, ls := range statuses {
		doneSteps += ls.doneSteps()
		steps += len(ls.steps)
	}
	count := fmt.Sprintf(p.tx.count, doneSteps, steps)
	if steps > 0 && doneSteps == steps {
		count = p.paint(green, count)
	}
	fmt.Fprintf(p.out, "%s — %s\n", p.paint(bold, p.tx.header), count)
	if p.from > 1 {
		fmt.Fprintln(p.out, fmt.Sprintf(p.tx.skipped, p.from, p.from))
	}
}

// printNotes says what progress could not do as asked: run -race, or speak
// the learner's language for some lesson.
func (p *progress) printNotes(statuses []lessonStatus) {
	var english []string
	for _, ls := range statuses {
		if ls.english {
			english = append(english, ls.lesson.Name)
		}
	}
	if len(english) > 0 {
		fmt.Fprintln(p.out, fmt.Sprintf(p.tx.noEdition, strings.Join(english, ", ")))
	}
	if p.tc.noRace != "" {
		fmt.Fprintln(p.out, fmt.Sprintf(p.tx.noRace, p.tc.noRace))
	}
}

// stepTitle is "Step 2 — Echo one client", in the learner's language, or
// in English if the lesson's steps could only be read in English.
func (p *progress) stepTitle(ls lessonStatus, s course.Step) string {
	tx := p.tx
	if ls.english {
		tx = &english
	}
	title := s.Title
	if title == "" {
		title = tx.noSection
	}
	return fmt.Sprintf(tx.step, s.Number, title)
}

func (p *progress) printChecklist(ls lessonStatus) {
	fmt.Fprintf(p.out, "\n%s  (%s)\n", p.paint(bold, p.tx.lessonTitle(ls.lesson)), relTo(p.root, ls.lesson.Dir))
	if ls.problem != "" {
		fmt.Fprintf(p.out, "  %s\n%s\n", p.paint(red, p.tx.noBuild), indent(ls.problem))
		return
	}
	for _, s := range ls.steps {
		detail := ""
		switch {
		case s.race:
			detail = p.tx.dataRace
		case s.state == underway:
			detail = fmt.Sprintf(p.tx.testsPass, s.passed, len(s.tests))
		case s.state == running:
			detail = p.tx.runningStep
		case s.state == hanging:
			detail = p.tx.hangs
		case s.state == failing:
			detail = p.tx.fails
		}
		if detail != "" {
			detail = "   " + detail
		}
		fmt.Fprintf(p.out, "  %s\n", p.paint(s.state.color(), s.state.mark()+" "+p.stepTitle(ls, s.Step)+detail))
	}
}

// printSummary prints one line for a lesson: its name and its count.
func (p *progress) printSummary(ls lessonStatus) {
	line := fmt.Sprintf("  %-24s %s", p.tx.lessonTitle(ls.lesson), fmt.Sprintf(p.tx.count, ls.doneSteps(), len(ls.steps)))
	switch {
	case ls.complete():
		line = p.paint(green, line)
	case ls.problem != "":
		line = p.paint(red, line)
	case ls.doneSteps() > 0:
		line = p.paint(yellow, line)
	}
	fmt.Fprintln(p.out, line)
}

// readme names the README that the lesson's steps were read from.
func (p *progress) readme(ls lessonStatus) string {
	if ls.english {
		return course.English.File
	}
	return p.tx.edition.File
}

// printStep shows where to read about a step, how to test it, and its hint.
func (p *progress) printStep(ls lessonStatus, s course.Step) {
	dir := relTo(p.root, ls.lesson.Dir)
	fmt.Fprintf(p.out, "  %s: %s/%s#%s\n", p.tx.read, dir, p.readme(ls), s.Anchor)
	fmt.Fprintf(p.out, "  %s: cd %s && go test -run Step%d\n", p.tx.test, dir, s.Number)
	if s.Hint != "" {
		label := p.tx.hint + ": "
		fmt.Fprintf(p.out, "  %s%s\n", label, wrap(s.Hint, 72, strings.Repeat(" ", 2+len([]rune(label)))))
	}
}

// printNext shows the next step: where to work, how to test it, the hint,
// and the first failure's own words.
func (p *progress) printNext(ls lessonStatus) {
	dir := relTo(p.root, ls.lesson.Dir)
	if ls.problem != "" {
		fmt.Fprintf(p.out, "\n%s\n", fmt.Sprintf(p.tx.nextBuild, p.tx.lessonTitle(ls.lesson), dir))
		return
	}
	s := ls.nextSettled()
	if s == nil {
		return
	}
	fmt.Fprintf(p.out, "\n%s\n", p.paint(bold, fmt.Sprintf(p.tx.next, p.tx.lessonTitle(ls.lesson))+p.stepTitle(ls, s.Step)))
	p.printStep(ls, s.Step)
	for _, t := range s.tests {
		switch {
		case t.Action == "":
			fmt.Fprintf(p.out, "  %s\n", p.paint(red, fmt.Sprintf(p.tx.hung, t.Name, p.limit)))
			return
		case !t.Passed() && t.Action != "skip":
			fmt.Fprintf(p.out, "  %s\n", p.paint(red, fmt.Sprintf(p.tx.firstFailure, t.Name)))
			more := fmt.Sprintf("cd %s && go test -run Step%d", dir, s.Number)
			if s.race {
				more = fmt.Sprintf("cd %s && go test -race -run Step%d", dir, s.Number)
			}
			fmt.Fprintln(p.out, indent(failureText(t.Output, p.tx, more)))
			if s.race {
				fmt.Fprintf(p.out, "  %s\n", fmt.Sprintf(p.tx.raceWhere, dir, s.Number))
			}
			return
		}
	}
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
		n := len([]rune(word))
		if i > 0 && col+1+n > width {
			b.WriteString("\n" + prefix)
			col = 0
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
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
