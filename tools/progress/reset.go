package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// reset restores a lesson's files as the repository has them at commit
// (by default origin/HEAD, the course as you cloned it, else HEAD). It lists
// the files it would change and asks first; it touches only files of that
// lesson that the repository tracks, never a file you added, and only
// regular files inside the lesson's own folder: it never writes through a
// symbolic link, which could point into another lesson.
func (p *progress) reset(name, commit string, yes bool, answers io.Reader) error {
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
	if info, err := os.Lstat(lesson.Dir); err != nil || !info.IsDir() {
		return fmt.Errorf("%s is not a folder (a symbolic link?): reset writes only inside a lesson's own folder", lesson.Name)
	}
	if commit == "" {
		commit = "HEAD"
		if _, err := p.git("rev-parse", "--verify", "--quiet", "origin/HEAD^{commit}"); err == nil {
			commit = "origin/HEAD"
		}
	}
	listing, err := p.git("ls-tree", "-r", "-z", commit, "--", lesson.Name+"/")
	if err != nil {
		return fmt.Errorf("reset needs the course as a git clone: %v", err)
	}
	type change struct {
		path    string
		starter []byte
		mode    fs.FileMode
	}
	var changes []change
	var skipped []string
	for _, entry := range strings.Split(string(listing), "\x00") {
		// "<mode> <type> <object>\t<path>"
		meta, path, ok := strings.Cut(entry, "\t")
		if !ok {
			continue
		}
		mode := fs.FileMode(0o644)
		switch strings.Fields(meta)[0] {
		case "100644":
		case "100755":
			mode = 0o755
		default:
			continue // A link or a submodule in the repository itself: not a starter file.
		}
		file := filepath.Join(p.root, filepath.FromSlash(path))
		if why := notRegularInside(lesson.Dir, file); why != "" {
			skipped = append(skipped, fmt.Sprintf("%s: %s", path, why))
			continue
		}
		starter, err := p.git("show", commit+":"+path)
		if err != nil {
			return err
		}
		current, err := os.ReadFile(file)
		if err == nil && bytes.Equal(current, starter) {
			continue
		}
		changes = append(changes, change{path, starter, mode})
	}
	if len(skipped) > 0 {
		fmt.Fprintf(p.out, "Left alone (reset writes only regular files inside %s/):\n", lesson.Name)
		for _, s := range skipped {
			fmt.Fprintf(p.out, "  %s\n", s)
		}
		fmt.Fprintln(p.out, "Remove those links yourself, then run reset again to restore them.")
	}
	if len(changes) == 0 {
		fmt.Fprintf(p.out, "%s is already as in %s: nothing to restore.\n", lesson.Name, commit)
		return nil
	}
	fmt.Fprintf(p.out, "These files of %s differ from %s:\n", lesson.Name, commit)
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
		if err := replaceFile(filepath.Join(p.root, filepath.FromSlash(c.path)), c.starter, c.mode); err != nil {
			return err
		}
	}
	fmt.Fprintf(p.out, "Restored %d files. Files you added yourself were left alone.\n", len(changes))
	return nil
}

// notRegularInside says why file may not be written by reset, or "": every
// folder between dir and file must be a real folder (not a link elsewhere),
// and the file a regular file or not there at all.
func notRegularInside(dir, file string) string {
	rel, err := filepath.Rel(dir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "outside the lesson's folder"
	}
	parts := strings.Split(rel, string(filepath.Separator))
	at := dir
	for i, part := range parts {
		at = filepath.Join(at, part)
		info, err := os.Lstat(at)
		if err != nil {
			return "" // Missing from here on: reset creates it inside the lesson.
		}
		last := i == len(parts)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(at)
			if last {
				return fmt.Sprintf("a symbolic link (to %s)", target)
			}
			return fmt.Sprintf("its folder %s is a symbolic link (to %s)", filepath.ToSlash(part), target)
		case !last && !info.IsDir():
			return fmt.Sprintf("%s is not a folder", filepath.ToSlash(part))
		case last && !info.Mode().IsRegular():
			return "not a regular file"
		}
	}
	return ""
}

// replaceFile writes data to a new file beside path and renames it over
// path: a rename replaces the directory entry itself, so even a link that
// appeared since the check is replaced, never followed.
func replaceFile(path string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".reset-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
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
