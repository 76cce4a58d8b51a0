package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// moduleFiles are the files `go mod tidy` and `go work sync` write.
var moduleFiles = []string{"go.mod", "go.sum", "go.work", "go.work.sum"}

// checkTidy proves that every go.mod and go.sum is as `go mod tidy` leaves
// it, and go.work and go.work.sum as `go work sync` does: one version of each
// dependency across the workspace, and no requirement nothing imports. It
// runs both on a scratch copy of the repository, so the tree is never touched.
func (c *checker) checkTidy(ctx context.Context) {
	const name = "go mod tidy and go work sync change nothing"
	c.start(name)
	mods, err := course.Modules(c.root)
	if err != nil {
		c.fail(name, "%v", err)
		return
	}
	scratch, err := os.MkdirTemp("", "check-tidy")
	if err != nil {
		c.fail(name, "%v", err)
		return
	}
	defer os.RemoveAll(scratch)
	if err := copyTracked(c.root, scratch); err != nil {
		c.fail(name, "copying the repository: %v", err)
		return
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var problems []string
	for _, m := range mods {
		if out, err := goCmdEnv(ctx, filepath.Join(scratch, m), []string{"GOWORK=off"}, "mod", "tidy"); err != nil {
			problems = append(problems, fmt.Sprintf("go mod tidy in %s: %s", m, c.tail(out, 10)))
		}
	}
	if out, err := goCmdEnv(ctx, scratch, []string{"GOWORK=" + filepath.Join(scratch, "go.work")}, "work", "sync"); err != nil {
		problems = append(problems, "go work sync: "+c.tail(out, 10))
	}
	if len(problems) == 0 {
		problems = changedModuleFiles(c.root, scratch, append(mods, "."))
	}
	if len(problems) > 0 {
		c.fail(name, "%s\nRun `go mod tidy` in each module named, then `go work sync` at the root.", strings.Join(problems, "\n"))
		return
	}
	c.pass(name, fmt.Sprintf("%d modules", len(mods)))
}

// changedModuleFiles compares the module files of each folder in dirs, before
// (under root) and after (under scratch), and says what changed.
func changedModuleFiles(root, scratch string, dirs []string) []string {
	var changes []string
	for _, dir := range dirs {
		for _, f := range moduleFiles {
			rel := path.Join(dir, f)
			before, errBefore := os.ReadFile(filepath.Join(root, rel))
			after, errAfter := os.ReadFile(filepath.Join(scratch, rel))
			switch {
			case errBefore != nil && errAfter != nil:
				// Neither has it: go.sum of a module without dependencies.
			case errAfter != nil:
				changes = append(changes, rel+" would be deleted")
			case errBefore != nil:
				changes = append(changes, rel+" would be created")
			case string(before) != string(after):
				changes = append(changes, rel+" would change:\n"+indent(lineDiff(string(before), string(after))))
			}
		}
	}
	return changes
}

// lineDiff lists the lines only one side has, "-" before and "+" after: for
// go.mod and go.sum, whose order the go command fixes, that says it all.
func lineDiff(before, after string) string {
	a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 {
		return "(the same lines in another order)"
	}
	return strings.Join(out, "\n")
}

// copyTracked copies the files git tracks or would track under root into dst.
func copyTracked(root, dst string) error {
	files, err := listFiles(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
