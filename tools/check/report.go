package main

import (
	"cmp"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// checker runs the checks and counts their outcomes.
type checker struct {
	root         string
	race         bool
	verbose      bool
	fuzzTime     time.Duration
	starterLimit time.Duration

	passed, failed int
	last           time.Time // when the previous check ended, to time each one

	status  *statusLine // what is running now; nil prints nothing until a check ends
	timings []timing    // every check's duration, for the slowest at the end
}

// timing is how long one check ran.
type timing struct {
	name string
	d    time.Duration
}

// start says which check runs now: a live status line on a terminal, a plain
// line otherwise. Calling it is optional; it also restarts the check's clock,
// so the time a check reports is its own.
func (c *checker) start(name string) {
	c.last = time.Now()
	if c.status != nil {
		c.status.running(name, c.last)
	}
}

// took says how long the check that just ended ran, when that is worth knowing.
func (c *checker) took() string {
	now := time.Now()
	d := now.Sub(c.last)
	c.last = now
	if d < 5*time.Second {
		return ""
	}
	return fmt.Sprintf(" [%s]", d.Round(time.Second))
}

// pass records a check that held.
func (c *checker) pass(name, detail string) {
	c.passed++
	if detail != "" {
		detail = " (" + detail + ")"
	}
	c.print(name, fmt.Sprintf("ok    %s%s", name, detail), nil)
}

// fail records a check that did not hold, with what a maintainer needs to fix it.
func (c *checker) fail(name, format string, args ...any) {
	c.failed++
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(fmt.Sprintf(format, args...), "\n"), "\n") {
		lines = append(lines, "      "+line)
	}
	c.print(name, "FAIL  "+name, lines)
}

// print writes a check's outcome, timed, above the status line.
func (c *checker) print(name, head string, more []string) {
	d := time.Since(c.last)
	c.timings = append(c.timings, timing{name, d})
	text := head + c.took() + "\n"
	for _, line := range more {
		text += line + "\n"
	}
	if c.status != nil {
		c.status.print(text)
		return
	}
	fmt.Print(text)
}

// slowest lists the checks that took longest, slowest first, so a maintainer
// sees where the minutes go.
func (c *checker) slowest(n int) string {
	sorted := slices.Clone(c.timings)
	slices.SortStableFunc(sorted, func(a, b timing) int { return cmp.Compare(b.d, a.d) })
	var parts []string
	for _, t := range sorted[:min(n, len(sorted))] {
		if t.d < time.Second {
			break
		}
		parts = append(parts, fmt.Sprintf("  %6s  %s", t.d.Round(time.Second), t.name))
	}
	if len(parts) == 0 {
		return ""
	}
	return "slowest checks:\n" + strings.Join(parts, "\n") + "\n"
}

// tail keeps the last lines of a command's output, or all of it with -v.
func (c *checker) tail(out string, lines int) string {
	all := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if c.verbose || len(all) <= lines {
		return strings.Join(all, "\n")
	}
	return fmt.Sprintf("... (%d lines; -v shows all)\n%s", len(all)-lines, strings.Join(all[len(all)-lines:], "\n"))
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(cmd.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// raceEnabled decides whether `go test -race` can run here: it needs cgo.
func raceEnabled(mode string) bool {
	switch mode {
	case "on":
		return true
	case "off":
		return false
	}
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		return false
	}
	_, err = exec.LookPath(strings.TrimSpace(goEnv("CC")))
	return err == nil
}

func goEnv(name string) string {
	out, _ := exec.Command("go", "env", name).Output()
	return strings.TrimSpace(string(out))
}

// discover lists the lessons in go.work and checks each has its solution.
func (c *checker) discover() []course.Lesson {
	lessons, err := course.Lessons(c.root)
	if err != nil {
		c.fail("workspace", "%v", err)
		return nil
	}
	var names []string
	ok := true
	for _, l := range lessons {
		names = append(names, l.Name)
		if l.Solution == "" {
			ok = false
			c.fail("workspace: "+l.Name, "go.work lists %s but not solutions/%s", l.Name, l.Name)
		}
	}
	if len(lessons) == 0 {
		c.fail("workspace", "go.work lists no lessonNN-name module")
	} else if ok {
		c.pass("workspace", fmt.Sprintf("%d lessons: %s", len(lessons), strings.Join(names, ", ")))
	}
	return lessons
}

// goCmdContext is goCmd bounded by ctx.
func goCmdContext(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// goCmdEnv is goCmdContext with extra environment variables.
func goCmdEnv(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runIn runs any program in dir and returns its combined output.
func runIn(dir, program string, args ...string) (string, error) {
	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
