package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// hint prints one step's title, hint and test command. which is "N" (a step
// of the lesson you are in, or of your current lesson), "L.N", or "" (your
// next step). Your current lesson is the first one not complete; once every
// lesson passes, it is the one you changed last, so that hint N keeps
// answering while you try mistakes on finished code.
func (p *progress) hint(ctx context.Context, which string) error {
	if err := p.setup(); err != nil {
		return err
	}
	all := p.tc.lessons
	lessonPart, stepPart, explicit := strings.Cut(which, ".")
	if !explicit {
		lessonPart, stepPart = "", which
	}
	var lesson *course.Lesson
	switch {
	case lessonPart != "":
		if lesson = findLesson(all, lessonPart); lesson == nil {
			return fmt.Errorf("no lesson %q; the lessons are %s", lessonPart, lessonNames(all))
		}
	default:
		lesson = lessonHere(all)
	}
	if lesson == nil || stepPart == "" {
		candidates, err := p.lessons()
		if err != nil {
			return err
		}
		if lesson != nil {
			candidates = []course.Lesson{*lesson}
		}
		statuses, err := p.check(ctx, candidates, nil, nil)
		if err != nil {
			return err
		}
		current := firstIncomplete(statuses)
		if current == nil && stepPart == "" {
			if lesson != nil {
				fmt.Fprintln(p.out, fmt.Sprintf(p.tx.lessonPasses, p.tx.lessonTitle(*lesson)))
			} else {
				fmt.Fprintln(p.out, p.tx.noNextStep)
			}
			return nil
		}
		if current == nil {
			current = &statuses[lastEdited(statuses)]
		}
		lesson = &current.lesson
		if stepPart == "" {
			if current.problem != "" {
				p.printNext(*current)
				return nil
			}
			stepPart = strconv.Itoa(current.next().Number)
		}
	}
	n, err := strconv.Atoi(stepPart)
	if err != nil {
		return fmt.Errorf("%q is not a step number; try: hint 2, or hint 1.2 for lesson 1, step 2", stepPart)
	}
	steps, english := p.steps(*lesson)
	ls := lessonStatus{lesson: *lesson, english: english}
	for _, s := range steps {
		if s.Number == n {
			fmt.Fprintf(p.out, "%s\n", p.paint(bold, p.tx.lessonTitle(*lesson)+", "+p.stepTitle(ls, s)))
			p.printStep(ls, s)
			p.printNotes([]lessonStatus{ls})
			return nil
		}
	}
	return fmt.Errorf("%s has no step %d (it has %d steps)", lesson.Title(), n, len(steps))
}

// lastEdited returns the index of the lesson whose source files changed last.
func lastEdited(statuses []lessonStatus) int {
	latest, last := time.Time{}, len(statuses)-1
	for i, ls := range statuses {
		filepath.WalkDir(ls.lesson.Dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isSource(path, ls.lesson.Dir) {
				return nil
			}
			if info, err := d.Info(); err == nil && info.ModTime().After(latest) {
				latest, last = info.ModTime(), i
			}
			return nil
		})
	}
	return last
}

// findLesson accepts "2", "02", "lesson02", "lesson02-partial-io" or "partial-io".
func findLesson(lessons []course.Lesson, name string) *course.Lesson {
	name = strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(name), "./"), "/")
	for i, l := range lessons {
		_, topic, _ := strings.Cut(l.Name, "-")
		n, err := strconv.Atoi(strings.TrimPrefix(name, "lesson"))
		if name == l.Name || name == topic || (err == nil && n == l.Number) {
			return &lessons[i]
		}
	}
	return nil
}

// lessonHere returns the lesson (or solution) folder you are in, if any.
func lessonHere(lessons []course.Lesson) *course.Lesson {
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	for i, l := range lessons {
		for _, dir := range []string{l.Dir, l.Solution} {
			if rel, err := filepath.Rel(dir, wd); dir != "" && err == nil && !strings.HasPrefix(rel, "..") {
				return &lessons[i]
			}
		}
	}
	return nil
}

func lessonNames(lessons []course.Lesson) string {
	var names []string
	for _, l := range lessons {
		names = append(names, l.Name)
	}
	return strings.Join(names, ", ")
}
