package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// checkMirror compares a lesson with its solution file by file, so that
// `diff -ru lessonNN-x solutions/lessonNN-x` shows the learner exactly the work:
// tests and README byte-identical; any other file identical except where
// the lesson holds TODO steps, or for the module path.
func (c *checker) checkMirror(l course.Lesson) {
	if l.Solution == "" {
		return
	}
	name := "mirror " + l.Title()
	c.start(name)
	lessonFiles, err1 := listFiles(l.Dir)
	solutionFiles, err2 := listFiles(l.Solution)
	if err1 != nil || err2 != nil {
		c.fail(name, "listing files: %v %v", err1, err2)
		return
	}
	lessonModule, solutionModule := modulePath(l.Dir), modulePath(l.Solution)
	var problems []string
	for _, rel := range union(lessonFiles, solutionFiles) {
		a, errA := os.ReadFile(filepath.Join(l.Dir, rel))
		b, errB := os.ReadFile(filepath.Join(l.Solution, rel))
		switch {
		case errA != nil:
			problems = append(problems, fmt.Sprintf("%s is in the solution only", rel))
			continue
		case errB != nil:
			problems = append(problems, fmt.Sprintf("%s is in the lesson only", rel))
			continue
		}
		if bytes.Equal(a, b) {
			continue
		}
		if strings.HasSuffix(rel, "_test.go") || isReadme(rel) || strings.Contains(rel, "testdata/") {
			problems = append(problems, fmt.Sprintf("%s differs: tests, test data and the README must be byte-identical in lesson and solution", rel))
			continue
		}
		if solutionModule != "" && bytes.Equal(a, bytes.ReplaceAll(b, []byte(solutionModule), []byte(lessonModule))) {
			continue // Only the module path differs (go.mod, imports in cmd/).
		}
		if !bytes.Contains(a, []byte("TODO(step")) {
			problems = append(problems, fmt.Sprintf("%s differs but holds no TODO(step N): only files with steps to do may differ", rel))
		}
	}
	if len(problems) > 0 {
		c.fail(name, "%s", strings.Join(problems, "\n"))
		return
	}
	c.pass(name, fmt.Sprintf("%d files", len(lessonFiles)))
}

// isReadme reports whether rel is a README in any language (README.md,
// README.es.md), which lesson and solution share word for word.
func isReadme(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasPrefix(base, "README.") && strings.HasSuffix(base, ".md")
}

// listFiles lists the files under dir that git tracks or would track (not
// ignored), relative to dir; outside a git checkout, every file.
func listFiles(dir string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", ".")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if f == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil { // Deleted but not yet committed files are gone.
				files = append(files, filepath.ToSlash(f))
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	return files, err
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var all []string
	for _, f := range append(append([]string{}, a...), b...) {
		if !seen[f] {
			seen[f] = true
			all = append(all, f)
		}
	}
	sort.Strings(all)
	return all
}

// modulePath reads the module line of dir/go.mod.
func modulePath(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
