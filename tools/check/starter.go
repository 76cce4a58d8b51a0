package main

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// failFast is how long a starter's tests may run in all: each test should
// stop at its first call, when the step says it is not done yet.
const failFast = 10 * time.Second

// checkStarter runs a starter's tests and demands that they fail, each of
// them, quickly and cleanly, saying which step to do: that failure is the
// learner's first lesson. A starter that passes, panics, hangs or does not
// build is a broken repository.
func (c *checker) checkStarter(ctx context.Context, l course.Lesson) {
	name := "starter " + l.Title()
	c.start(name + ": builds")
	if out, err := goCmd(l.Dir, nil, "build", "./..."); err != nil {
		c.fail(name+": builds", "go build ./... in %s:\n%s", l.Name, c.tail(out, 20))
		return
	}
	c.pass(name+": builds", "")

	// The test binary's own -timeout turns a hang into a report naming the
	// test; the hard limit on the whole run catches a hang in the build.
	testTimeout := c.starterLimit
	c.start(name + ": tests fail")
	run := course.RunTests(ctx, l.Dir, testTimeout+2*time.Minute, "-count=1", "-timeout="+testTimeout.String(), ".")

	switch {
	case run.TimedOut:
		c.fail(name+": tests fail fast", "the starter's tests did not finish within %s: some test hangs. A starter must fail at once.\n%s",
			testTimeout, c.tail(hungTests(run), 10))
		return
	case run.Panicked:
		c.fail(name+": tests fail cleanly", "a starter test panicked; unfinished steps must return ErrNotImplemented, and tests must stop at requireDone.\n%s",
			c.tail(panicLines(run.Output), 15))
		return
	case !run.Built:
		c.fail(name+": tests build", "the starter's tests did not start:\n%s", c.tail(run.Output, 20))
		return
	}

	if run.TestTime > failFast {
		c.fail(name+": tests fail fast", "the starter's tests ran for %s; a starter must fail within %s. Does an unfinished function block instead of returning ErrNotImplemented?",
			run.TestTime.Round(100*time.Millisecond), failFast)
		return
	}

	steps := run.Steps()
	if reason, ok := skippedHere(run); ok {
		c.pass(name+": tests", "skipped on "+runtime.GOOS+": "+reason)
		return
	}
	if len(steps) == 0 {
		c.fail(name+": has step tests", "no test named TestStepN_... in %s", l.Name)
		return
	}
	var problems []string
	for i, n := range steps {
		if n != i+1 {
			problems = append(problems, fmt.Sprintf("steps are numbered %v; want 1 to %d with no gap", steps, len(steps)))
			break
		}
	}
	failing := 0
	for _, t := range run.Tests {
		if t.Step == 0 {
			continue
		}
		switch {
		case t.Action == "pass":
			problems = append(problems, fmt.Sprintf("%s passes on the starter: a test the learner cannot fail teaches nothing", t.Name))
		case t.Action == "skip" && runtime.GOOS != "windows":
			problems = append(problems, fmt.Sprintf("%s skips on the starter; it must fail", t.Name))
		case t.Action == "fail" && !namesStep(t.Output, t.Step):
			problems = append(problems, fmt.Sprintf("%s fails without naming step %d in its message:\n%s", t.Name, t.Step, indent(t.Output)))
		case t.Action == "fail":
			failing++
		}
	}
	if len(problems) > 0 {
		c.fail(name+": every step test fails, naming its step", "%s", strings.Join(problems, "\n"))
		return
	}
	c.pass(name+": every step test fails, naming its step",
		fmt.Sprintf("%d tests over %d steps, in %s", failing, len(steps), run.Elapsed.Round(100*time.Millisecond)))
}

// namesStep reports whether a failure message tells the learner which step to read.
func namesStep(output string, step int) bool {
	return regexp.MustCompile(fmt.Sprintf(`(?i)\bstep ?%d\b`, step)).MatchString(output)
}

// hungTests lists the tests that started but never finished.
func hungTests(run course.Run) string {
	var hung []string
	for _, t := range run.Tests {
		if t.Action == "" {
			hung = append(hung, "still running: "+t.Name)
		}
	}
	if len(hung) == 0 {
		return run.Output
	}
	return strings.Join(hung, "\n")
}

// panicLines keeps the panic message and the first frames under it.
func panicLines(out string) string {
	i := strings.Index(out, "panic: ")
	if i < 0 {
		return out
	}
	lines := strings.Split(out[i:], "\n")
	return strings.Join(lines[:min(len(lines), 12)], "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// skippedHere reports whether every test of a run skipped on Windows, where
// lesson 4 cannot run (it needs a Unix kernel), and why. Everywhere else
// every test must run.
func skippedHere(run course.Run) (reason string, ok bool) {
	if runtime.GOOS != "windows" || len(run.Tests) == 0 {
		return "", false
	}
	for _, t := range run.Tests {
		if t.Action != "skip" {
			return "", false
		}
		reason = lastLine(t.Output)
	}
	return reason, true
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
