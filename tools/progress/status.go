package main

import (
	"sort"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// state is how far a step is.
type state int

const (
	todo     state = iota // every test says "not done yet" or "needs step N first" (or did not run)
	underway              // some tests pass, some do not
	failing               // the tests fail, and not because the step is unstarted
	hanging               // a test never finished
	done                  // every test passes
	running               // some tests have not ended yet (only while -watch shows a run in progress)
)

func (s state) mark() string {
	return [...]string{"[ ]", "[~]", "[!]", "[!]", "[x]", "[.]"}[s]
}

// stepStatus is one step of one lesson, with its tests' outcome.
type stepStatus struct {
	course.Step
	state  state
	tests  []course.TestResult
	passed int
	race   bool // a test failed under -race
}

// settle works out the step's state from its tests.
func (s *stepStatus) settle() {
	s.passed, s.race = 0, false
	unstarted, hung, pending := true, false, false
	for _, t := range s.tests {
		switch {
		case t.Pending:
			pending = true
		case t.Passed():
			s.passed++
		case t.Action == "":
			hung = true
		case t.Action == "skip":
			s.passed++ // A test that does not apply here, such as kqueue on Linux.
		default:
			if strings.Contains(t.Output, "WARNING: DATA RACE") {
				s.race = true
			}
			// "step 4 needs step 2 first" is not a failure of step 4's own:
			// the learner has not reached it.
			if !strings.Contains(t.Output, "not done yet") && !strings.Contains(t.Output, " first: ") {
				unstarted = false
			}
		}
	}
	switch {
	case pending:
		s.state = running
	case hung:
		s.state = hanging
	case len(s.tests) == 0:
		s.state = todo // Its tests did not run.
	case s.passed == len(s.tests):
		s.state = done
	case s.passed > 0:
		s.state = underway
	case unstarted:
		s.state = todo
	default:
		s.state = failing
	}
}

// lessonStatus is a lesson's steps after one run of its tests.
type lessonStatus struct {
	lesson   course.Lesson
	key      string // what the verdict depends on (see inputs)
	steps    []stepStatus
	problem  string // the tests could not run at all (a build error, say)
	timedOut bool
	english  bool // asked for another language, but the lesson has no README in it
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

// doneSteps counts the steps that pass.
func (ls lessonStatus) doneSteps() int {
	n := 0
	for _, s := range ls.steps {
		if s.state == done {
			n++
		}
	}
	return n
}

// settledSteps counts the steps whose every test has ended.
func (ls lessonStatus) settledSteps() int {
	n := 0
	for _, s := range ls.steps {
		if s.state != running {
			n++
		}
	}
	return n
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

// nextSettled returns the first step that has its verdict and does not
// pass, or nil: while -watch shows a run in progress, the step the learner
// is on may have its verdict before the steps above it.
func (ls lessonStatus) nextSettled() *stepStatus {
	for i := range ls.steps {
		if s := &ls.steps[i]; s.state != done && s.state != running {
			return s
		}
	}
	return nil
}

// summarize turns one test run into the state of each step; described are
// the steps the lesson's README names.
func summarize(l course.Lesson, described []course.Step, run course.Run) lessonStatus {
	ls := lessonStatus{lesson: l, timedOut: run.TimedOut}
	if !run.Built {
		ls.problem = lastLines(strings.TrimSpace(run.Output), 15)
		return ls
	}
	titles := map[int]course.Step{}
	for _, s := range described {
		titles[s.Number] = s
	}
	// A step that the README describes but whose tests never ran (the run
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
			step = course.Step{Number: n}
		}
		st := stepStatus{Step: step, tests: run.StepTests(n)}
		st.settle()
		ls.steps = append(ls.steps, st)
	}
	return ls
}
