package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// staticcheck is the linter the finished code must satisfy, at a pinned
// version: a new release brings new checks, and the check must not start
// failing on its own one morning. Raise it on purpose, and fix what it finds.
// go run fetches and builds it once; the build cache keeps it afterwards.
const staticcheck = "honnef.co/go/tools/cmd/staticcheck@v0.8.2"

// checkStaticcheck runs staticcheck on every solution module in lessons and on
// tools/, and fails on any finding. Learners copy the solutions, so they must
// hold no dead code and no suspicious construct. Starters are left out: their
// TODO steps leave code unused on purpose.
func (c *checker) checkStaticcheck(ctx context.Context, lessons []course.Lesson) {
	dirs := []string{filepath.Join(c.root, "tools")}
	for _, l := range lessons {
		if l.Solution != "" {
			dirs = append(dirs, l.Solution)
		}
	}
	for _, dir := range dirs {
		name := "staticcheck: " + c.relPath(dir)
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		out, err := goCmdEnv(ctx, dir, nil, "run", staticcheck, "./...")
		cancel()
		if err != nil {
			c.fail(name, "%s\n(silence a finding only with a //lint:ignore directive that says why)", c.tail(strings.TrimSpace(out), 30))
			continue
		}
		c.pass(name, fmt.Sprintf("%s, no findings", strings.TrimPrefix(staticcheck, "honnef.co/go/tools/cmd/")))
	}
}
