package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// checkTools vets and tests the course's own tools: they are part of what
// a learner runs, so they are held to the same standard.
func (c *checker) checkTools(ctx context.Context) {
	dir := filepath.Join(c.root, "tools")
	c.start("tools: go vet")
	if out, err := goCmd(dir, nil, "vet", "./..."); err != nil {
		c.fail("tools: go vet", "%s", c.tail(out, 20))
	} else {
		c.pass("tools: go vet", "")
	}
	c.start("tools: go test")
	args := []string{"-count=1", "-timeout=5m"}
	if c.race {
		args = append(args, "-race")
	}
	run := course.RunTests(ctx, dir, 6*time.Minute, append(args, "./...")...)
	var failed []string
	passed := 0
	for _, t := range run.Tests {
		if t.Passed() || t.Action == "skip" {
			passed++
			continue
		}
		failed = append(failed, fmt.Sprintf("%s:\n%s", t.Name, indent(c.tail(t.Output, 20))))
	}
	switch {
	case run.TimedOut || run.Panicked || !run.Built:
		c.fail("tools: go test", "%s", c.tail(run.Output, 30))
	case len(failed) > 0:
		c.fail("tools: go test", "%d failed:\n%s", len(failed), joinLines(failed))
	default:
		c.pass("tools: go test", fmt.Sprintf("%d tests in %s", passed, run.Elapsed.Round(time.Second)))
	}
}
