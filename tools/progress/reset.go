package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// reset restores a lesson's files as the repository has them at commit from
// (by default origin/HEAD, the course as you cloned it, else HEAD). It lists
// the files it would change and asks first; it touches only files of that
// lesson that the repository tracks, never a file you added.
func (p *progress) reset(name, from string, yes bool, answers io.Reader) error {
	lessons, err := course.Lessons(p.root)
	if err != nil {
		return err
	}
	if name == "" {
		return fmt.Errorf("reset which lesson? For example: go run ./tools/progress reset 1 (lessons: %s)", lessonNames(lessons))
	}
	lesson := findLesson(lessons, name)
	if lesson == nil {
		return fmt.Errorf("no lesson %q; the lessons are %s", name, lessonNames(lessons))
	}
	if from == "" {
		from = "HEAD"
		if _, err := p.git("rev-parse", "--verify", "--quiet", "origin/HEAD^{commit}"); err == nil {
			from = "origin/HEAD"
		}
	}
	listing, err := p.git("ls-tree", "-r", "--name-only", from, "--", lesson.Name+"/")
	if err != nil {
		return fmt.Errorf("reset needs the course as a git clone: %v", err)
	}
	type change struct {
		path    string
		starter []byte
	}
	var changes []change
	for _, path := range strings.Fields(string(listing)) {
		starter, err := p.git("show", from+":"+path)
		if err != nil {
			return err
		}
		current, err := os.ReadFile(filepath.Join(p.root, filepath.FromSlash(path)))
		if err == nil && bytes.Equal(current, starter) {
			continue
		}
		changes = append(changes, change{path, starter})
	}
	if len(changes) == 0 {
		fmt.Fprintf(p.out, "%s is already as in %s: nothing to restore.\n", lesson.Name, from)
		return nil
	}
	fmt.Fprintf(p.out, "These files of %s differ from %s:\n", lesson.Name, from)
	for _, c := range changes {
		fmt.Fprintf(p.out, "  %s\n", c.path)
	}
	if !yes {
		fmt.Fprintf(p.out, "Restore them? Your changes to these files will be lost. [y/N] ")
		answer, _ := bufio.NewReader(answers).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(p.out, "Nothing changed.")
			return nil
		}
	}
	for _, c := range changes {
		path := filepath.Join(p.root, filepath.FromSlash(c.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, c.starter, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(p.out, "Restored %d files. Files you added yourself were left alone.\n", len(changes))
	return nil
}

// git runs git in the repository and returns its standard output.
func (p *progress) git(args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = p.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
