package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// hint prints one step's title, hint and test command. which is "N" (a step
// of the lesson you are in, or of your current lesson), "L.N", or "" (your
// next step).
func (p *progress) hint(ctx context.Context, which string) error {
	lessons, err := course.Lessons(p.root)
	if err != nil {
		return err
	}
	lessonPart, stepPart, explicit := strings.Cut(which, ".")
	if !explicit {
		lessonPart, stepPart = "", which
	}
	var lesson *course.Lesson
	switch {
	case lessonPart != "":
		if lesson = findLesson(lessons, lessonPart); lesson == nil {
			return fmt.Errorf("no lesson %q; the lessons are %s", lessonPart, lessonNames(lessons))
		}
	default:
		lesson = lessonHere(lessons)
	}
	if lesson == nil || stepPart == "" {
		// Find the first lesson that is not complete, and its next step.
		for i := range lessons {
			if lesson != nil && lessons[i].Name != lesson.Name {
				continue
			}
			ls := p.check(ctx, lessons[i])
			if ls.complete() && lesson == nil {
				continue
			}
			if stepPart == "" {
				if next := ls.next(); next != nil {
					stepPart = strconv.Itoa(next.Number)
				}
			}
			lesson = &lessons[i]
			break
		}
		if lesson == nil {
			fmt.Fprintln(p.out, "Every lesson is complete: there is no next step.")
			return nil
		}
		if stepPart == "" {
			fmt.Fprintf(p.out, "Every step of %s passes.\n", lesson.Title())
			return nil
		}
	}
	n, err := strconv.Atoi(stepPart)
	if err != nil {
		return fmt.Errorf("%q is not a step number; try: hint 2, or hint 1.2 for lesson 1, step 2", stepPart)
	}
	steps, err := course.ReadSteps(lesson.Dir)
	if err != nil {
		return err
	}
	for _, s := range steps {
		if s.Number == n {
			dir := relTo(p.root, lesson.Dir)
			fmt.Fprintf(p.out, "%s, Step %d — %s\n", lesson.Title(), s.Number, s.Title)
			fmt.Fprintf(p.out, "  Read: %s/README.md#%s\n", dir, s.Anchor)
			fmt.Fprintf(p.out, "  Test: cd %s && go test -run Step%d\n", dir, s.Number)
			fmt.Fprintf(p.out, "  Hint: %s\n", wrap(s.Hint, 72, "        "))
			return nil
		}
	}
	return fmt.Errorf("%s has no step %d (it has %d steps)", lesson.Title(), n, len(steps))
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
