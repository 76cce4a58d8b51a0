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

// watch shows the current lesson, then runs its tests again each time you
// save a file in it, redrawing the screen. It follows you: a change in
// another lesson shows that lesson, and a lesson that becomes complete hands
// over to the next one. When every lesson passes it keeps watching, so you
// can try mistakes on finished code.
//
// It polls modification times instead of asking the operating system for
// change events: that works on every platform and with every editor,
// including those that save by writing a new file and renaming it.
func (p *progress) watch(ctx context.Context, every time.Duration) error {
	lessons, err := p.lessons()
	if err != nil {
		return err
	}
	statuses, err := p.check(ctx, lessons, nil, nil)
	if err != nil {
		return err
	}
	cur := -1
	if here := lessonHere(lessons); here != nil {
		for i := range lessons {
			if lessons[i].Name == here.Name {
				cur = i
			}
		}
	}
	if cur < 0 {
		cur = lastEdited(statuses)
		if first := firstIncomplete(statuses); first != nil {
			cur = indexOf2(statuses, first.lesson)
		}
	}
	seen := make([]files, len(lessons))
	for i, l := range lessons {
		seen[i] = snapshot(l.Dir)
	}
	note := ""
	for {
		if pending := p.unraced(statuses[cur]); len(pending) > 0 {
			var names []string
			for _, n := range pending {
				names = append(names, fmt.Sprintf(p.tx.stepNumber, n))
			}
			p.draw(statuses, cur, note, fmt.Sprintf(p.tx.checkingRace, strings.Join(names, ", ")))
			p.checkRace(ctx, statuses[cur:cur+1])
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if statuses[cur].complete() {
			if next := nextIncomplete(statuses, cur); next >= 0 {
				note = p.paint(green, fmt.Sprintf(p.tx.lessonDone, p.tx.lessonTitle(lessons[cur]), p.tx.lessonTitle(lessons[next])))
				cur = next
				continue
			}
		}
		p.draw(statuses, cur, note, fmt.Sprintf(p.tx.watching, relTo(p.root, lessons[cur].Dir)))

		changed := -1
		for changed < 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
			for i, l := range lessons {
				now := snapshot(l.Dir)
				if name := now.changedSince(seen[i]); name != "" {
					now = settled(ctx, l.Dir, now)
					seen[i], changed = now, i
					note = fmt.Sprintf(p.tx.changed, name)
					fmt.Fprintln(p.out, note)
					break
				}
			}
		}
		cur = changed
		// The step the learner is on gets its verdict first, and the screen
		// shows each step's verdict as it comes, while the others run on.
		first := map[string]int{}
		if s := statuses[cur].next(); s != nil {
			first[lessons[cur].Name] = s.Number
		}
		partial := func(ls lessonStatus) {
			shown := append([]lessonStatus(nil), statuses...)
			shown[cur] = ls
			p.draw(shown, cur, note, p.tx.runningTests)
		}
		fresh, err := p.check(ctx, lessons[cur:cur+1], first, partial)
		if err != nil {
			return err
		}
		statuses[cur] = fresh[0]
	}
}

// draw shows one screen: on a terminal it replaces the last one, otherwise
// it follows it under a line with the time.
func (p *progress) draw(statuses []lessonStatus, cur int, note, status string) {
	if p.clear {
		fmt.Fprint(p.out, "\x1b[H\x1b[2J")
	} else {
		fmt.Fprintf(p.out, "\n--- %s ---\n", time.Now().Format("15:04:05"))
	}
	p.printHeader(statuses)
	if len(statuses) > 1 {
		fmt.Fprintln(p.out)
		for _, ls := range statuses {
			p.printSummary(ls)
		}
	}
	ls := statuses[cur]
	p.printChecklist(ls)
	switch {
	case firstIncomplete(statuses) == nil:
		fmt.Fprintf(p.out, "\n%s\n", p.paint(green, p.tx.watchAllDone))
	case ls.complete():
		fmt.Fprintf(p.out, "\n%s\n", p.paint(green, fmt.Sprintf(p.tx.lessonPasses, p.tx.lessonTitle(ls.lesson))))
	default:
		p.printNext(ls)
	}
	fmt.Fprintln(p.out)
	p.printNotes(statuses)
	if note != "" {
		fmt.Fprintln(p.out, note)
	}
	fmt.Fprintln(p.out, status)
}

// nextIncomplete returns the first lesson after cur that is not complete,
// else the first one before it, else -1.
func nextIncomplete(statuses []lessonStatus, cur int) int {
	for k := 1; k < len(statuses); k++ {
		i := (cur + k) % len(statuses)
		if !statuses[i].complete() {
			return i
		}
	}
	return -1
}

func indexOf2(statuses []lessonStatus, l course.Lesson) int {
	for i := range statuses {
		if statuses[i].lesson.Name == l.Name {
			return i
		}
	}
	return 0
}

// files maps each source file of a lesson (see isSource) to its size and
// modification time.
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
		if d.IsDir() || !isSource(path, dir) {
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

// settled waits until a save is complete: an editor may truncate a file and
// write it in two steps, and a half-written file would cost a useless run.
func settled(ctx context.Context, dir string, now files) files {
	for range 10 {
		select {
		case <-ctx.Done():
			return now
		case <-time.After(20 * time.Millisecond):
		}
		again := snapshot(dir)
		if again.changedSince(now) == "" {
			return again
		}
		now = again
	}
	return now
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
