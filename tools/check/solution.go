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

// checkSolution runs go vet and every test of a solution, with the race
// detector where it works. Every test must run: a skipped test proves nothing.
func (c *checker) checkSolution(ctx context.Context, l course.Lesson) {
	if l.Solution == "" {
		return
	}
	name := "solution " + l.Title()
	c.start(name + ": go vet")
	if out, err := goCmd(l.Solution, nil, "vet", "./..."); err != nil {
		c.fail(name+": go vet", "%s", c.tail(out, 20))
	} else {
		c.pass(name+": go vet", "")
	}

	args := []string{"-count=1", "-shuffle=on", "-timeout=8m"}
	label := "go test -shuffle=on"
	if c.race {
		args = append(args, "-race")
		label = "go test -race -shuffle=on"
	}
	c.start(name + ": " + label)
	run := course.RunTests(ctx, l.Solution, 10*time.Minute, append(args, "./...")...)
	var failed, skipped []string
	passed := 0
	for _, t := range run.Tests {
		switch t.Action {
		case "pass":
			passed++
		case "skip":
			skipped = append(skipped, t.Name)
		default:
			failed = append(failed, fmt.Sprintf("%s:\n%s", t.Name, indent(c.tail(t.Output, 25))))
		}
	}
	if reason, ok := skippedHere(run); ok {
		c.pass(name+": "+label, "skipped on "+runtime.GOOS+": "+reason)
		return
	}
	switch {
	case run.TimedOut:
		c.fail(name+": "+label, "the tests did not finish:\n%s", c.tail(hungTests(run), 20))
	case run.Panicked || !run.Built:
		c.fail(name+": "+label, "%s", c.tail(run.Output, 30))
	case len(failed) > 0:
		c.fail(name+": "+label, "%d failed:\n%s", len(failed), strings.Join(failed, "\n"))
	case len(skipped) > 0 && runtime.GOOS != "windows":
		c.fail(name+": "+label, "every test must run here; skipped: %s", strings.Join(skipped, ", "))
	case passed == 0:
		c.fail(name+": "+label, "no test ran")
	default:
		c.pass(name+": "+label, fmt.Sprintf("%d tests in %s", passed, run.Elapsed.Round(time.Second)))
	}
}

var fuzzTarget = regexp.MustCompile(`^Fuzz\w+$`)

// checkFuzz runs each fuzz target of a solution for a short while, starting
// from the seed corpus committed under testdata/fuzz.
func (c *checker) checkFuzz(ctx context.Context, l course.Lesson) {
	if l.Solution == "" || c.fuzzTime <= 0 || !fuzzingSupported() {
		return
	}
	out, err := goCmd(l.Solution, nil, "test", "-list", "^Fuzz", "./...")
	if err != nil {
		c.fail("solution "+l.Title()+": list fuzz targets", "%s", c.tail(out, 10))
		return
	}
	var targets []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case fuzzTarget.MatchString(line):
			targets = append(targets, line)
		case strings.HasPrefix(line, "ok "):
			pkg := strings.Fields(line)[1]
			for _, target := range targets {
				c.fuzz(ctx, l, pkg, target)
			}
			targets = nil
		}
	}
}

func (c *checker) fuzz(ctx context.Context, l course.Lesson, pkg, target string) {
	name := fmt.Sprintf("solution %s: fuzz %s for %s", l.Title(), target, c.fuzzTime)
	c.start(name)
	ctx, cancel := context.WithTimeout(ctx, c.fuzzTime+2*time.Minute)
	defer cancel()
	out, err := goCmdContext(ctx, l.Solution, "test", "-run=^$", "-fuzz=^"+target+"$", "-fuzztime="+c.fuzzTime.String(), pkg)
	if err != nil {
		c.fail(name, "%s", c.tail(out, 30))
		return
	}
	c.pass(name, "")
}

// fuzzingSupported reports whether go test -fuzz works on this platform.
func fuzzingSupported() bool {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "freebsd/amd64":
		return true
	}
	return false
}
