package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// testCommand is the README's test command; .ci/run must run it.
const testCommand = "go run ./tools/check"

// checkFormatting runs gofmt over every Go file in the repository.
func (c *checker) checkFormatting() {
	c.start("gofmt")
	files, err := listFiles(c.root)
	if err != nil {
		c.fail("gofmt", "%v", err)
		return
	}
	args := []string{"-l"}
	for _, f := range files {
		if strings.HasSuffix(f, ".go") {
			args = append(args, f)
		}
	}
	out, err := runIn(c.root, "gofmt", args...)
	if err != nil || strings.TrimSpace(out) != "" {
		c.fail("gofmt", "gofmt -l lists files to format (run gofmt -w on them):\n%s", out)
		return
	}
	c.pass("gofmt", fmt.Sprintf("%d files", len(args)-1))
}

// checkCrossBuild vets every module for the platforms this machine is not:
// vet type-checks test files too, so tests must compile everywhere.
func (c *checker) checkCrossBuild(ctx context.Context) {
	mods, err := course.Modules(c.root)
	if err != nil {
		c.fail("cross-build", "%v", err)
		return
	}
	var patterns []string
	for _, m := range mods {
		patterns = append(patterns, "./"+m+"/...")
	}
	for _, goos := range []string{"linux", "darwin", "freebsd", "windows"} {
		name := "builds and vets for GOOS=" + goos
		c.start(name)
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		out, err := goCmdEnv(ctx, c.root, []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=0"}, append([]string{"vet"}, patterns...)...)
		cancel()
		if err != nil {
			c.fail(name, "%s", c.tail(out, 30))
			continue
		}
		c.pass(name, fmt.Sprintf("%d modules", len(mods)))
	}
}

// checkCI makes sure CI runs the command the README tells maintainers to run.
func (c *checker) checkCI() {
	c.start("CI runs the README's test command")
	readme, err1 := os.ReadFile(filepath.Join(c.root, "README.md"))
	ci, err2 := os.ReadFile(filepath.Join(c.root, ".ci", "run"))
	switch {
	case err1 != nil || err2 != nil:
		c.fail("CI runs the README's test command", "%v %v", err1, err2)
	case !strings.Contains(string(readme), testCommand):
		c.fail("CI runs the README's test command", "README.md does not show the test command %q", testCommand)
	case !strings.Contains(string(ci), testCommand):
		c.fail("CI runs the README's test command", ".ci/run does not run %q", testCommand)
	default:
		c.pass("CI runs the README's test command", testCommand)
	}
}
