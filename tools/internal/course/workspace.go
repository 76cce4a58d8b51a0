// Package course knows the shape of the repository: where the workspace is,
// which lessons it holds, how to run a lesson's tests and read their results,
// and what each lesson's README says about its steps. Both tools/check and
// tools/progress are built on it, so they always agree.
package course

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Lesson is one lesson of the course: a starter module at the root and its
// finished twin under solutions/.
type Lesson struct {
	Name     string // folder name, for example "lesson01-blocking"
	Number   int    // 1 for lesson01-blocking
	Dir      string // absolute path of the starter
	Solution string // absolute path of the solution ("" if go.work lacks it)
}

// Title is the lesson's name for people: "lesson 1 (blocking)".
func (l Lesson) Title() string {
	_, topic, _ := strings.Cut(l.Name, "-")
	return fmt.Sprintf("lesson %d (%s)", l.Number, topic)
}

// FindRoot walks up from dir to the folder that holds go.work.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work found here or above: run this from inside the course repository")
		}
		dir = parent
	}
}

var lessonName = regexp.MustCompile(`^lesson(\d\d)-[a-z0-9-]+$`)

// Modules lists the module folders of the workspace, relative to root, as
// go.work's use directives name them (for example "lesson01-blocking").
func Modules(root string) ([]string, error) {
	cmd := exec.Command("go", "work", "edit", "-json")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go work edit -json: %w", err)
	}
	var work struct{ Use []struct{ DiskPath string } }
	if err := json.Unmarshal(out, &work); err != nil {
		return nil, fmt.Errorf("reading go.work: %w", err)
	}
	var mods []string
	for _, u := range work.Use {
		mods = append(mods, filepath.ToSlash(filepath.Clean(u.DiskPath)))
	}
	sort.Strings(mods)
	return mods, nil
}

// Lessons returns the lessons that go.work lists, in course order.
func Lessons(root string) ([]Lesson, error) {
	mods, err := Modules(root)
	if err != nil {
		return nil, err
	}
	return LessonsOf(root, mods), nil
}

// LessonsOf returns the lessons among the workspace modules mods (as
// Modules lists them), in course order.
func LessonsOf(root string, mods []string) []Lesson {
	inWork := map[string]bool{}
	for _, m := range mods {
		inWork[m] = true
	}
	var lessons []Lesson
	for _, m := range mods {
		match := lessonName.FindStringSubmatch(m)
		if match == nil {
			continue // Solutions and tools are not lessons themselves.
		}
		l := Lesson{Name: m, Dir: filepath.Join(root, m)}
		fmt.Sscanf(match[1], "%d", &l.Number)
		if inWork["solutions/"+m] {
			l.Solution = filepath.Join(root, "solutions", m)
		}
		lessons = append(lessons, l)
	}
	return lessons
}

// ModulePath returns the module path that dir/go.mod declares.
func ModulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s/go.mod has no module line", dir)
}
