package main

import (
	"context"
	"fmt"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// lessons returns the lessons to show: those from lesson p.from on.
func (p *progress) lessons() ([]course.Lesson, error) {
	if err := p.setup(); err != nil {
		return nil, err
	}
	all := p.tc.lessons
	var shown []course.Lesson
	for _, l := range all {
		if l.Number >= p.from {
			shown = append(shown, l)
		}
	}
	if len(shown) == 0 {
		return nil, fmt.Errorf("-from %d: there is no lesson %d; the lessons are %s", p.from, p.from, lessonNames(all))
	}
	return shown, nil
}

// overview prints every lesson's checklist, then the next step in detail.
func (p *progress) overview(ctx context.Context) error {
	lessons, err := p.lessons()
	if err != nil {
		return err
	}
	// Every lesson is checked: a starter's verdict is remembered, and a
	// finished lesson's comes from memory or from go test's cache. The next
	// step is in the first lesson that is not complete.
	statuses, err := p.check(ctx, lessons, nil, nil)
	if err != nil {
		return err
	}
	p.checkRace(ctx, statuses)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p.printHeader(statuses)
	for _, ls := range statuses {
		p.printChecklist(ls)
	}
	if current := firstIncomplete(statuses); current != nil {
		p.printNext(*current)
	} else {
		fmt.Fprintf(p.out, "\n%s\n", p.paint(green, p.tx.allDone))
	}
	p.printNotes(statuses)
	return nil
}

// firstIncomplete returns the first lesson that does not pass yet, or nil.
func firstIncomplete(statuses []lessonStatus) *lessonStatus {
	for i := range statuses {
		if !statuses[i].complete() {
			return &statuses[i]
		}
	}
	return nil
}
