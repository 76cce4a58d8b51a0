package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// watch runs the current lesson's tests, then again each time a file in the
// lesson changes. It polls modification times instead of asking the
// operating system for change events: that works on every platform and with
// every editor, including those that save by writing a new file and renaming it.
func (p *progress) watch(ctx context.Context, every time.Duration) error {
	lessons, err := course.Lessons(p.root)
	if err != nil {
		return err
	}
	lesson := lessonHere(lessons)
	for i := 0; lesson == nil && i < len(lessons); i++ {
		if !p.check(ctx, lessons[i]).complete() {
			lesson = &lessons[i]
		}
	}
	if lesson == nil {
		fmt.Fprintln(p.out, "Every lesson is complete: nothing to watch.")
		return nil
	}
	seen := snapshot(lesson.Dir)
	for {
		ls := p.check(ctx, *lesson)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(p.out, "\n--- %s ---", time.Now().Format("15:04:05"))
		p.printChecklist(ls)
		if ls.complete() {
			fmt.Fprintf(p.out, "\n%s is complete. Run go run ./tools/progress for the next lesson.\n", lesson.Title())
		} else {
			p.printNext(ls)
		}
		fmt.Fprintf(p.out, "\nWatching %s for changes (Ctrl-C to stop)...\n", relTo(p.root, lesson.Dir))
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
			now := snapshot(lesson.Dir)
			if changed := now.changedSince(seen); changed != "" {
				fmt.Fprintf(p.out, "%s changed: running the tests.\n", changed)
				seen = now
				break
			}
		}
	}
}

// files maps each Go file and README of a folder to its size and modification time.
type files map[string]string

func snapshot(dir string) files {
	f := files{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			rel, _ := filepath.Rel(dir, path)
			f[filepath.ToSlash(rel)] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return f
}

// changedSince names one file that was added, removed or modified, or "".
func (f files) changedSince(before files) string {
	for name, stamp := range f {
		if before[name] != stamp {
			return name
		}
	}
	for name := range before {
		if _, ok := f[name]; !ok {
			return name
		}
	}
	return ""
}
