// Command check verifies the whole course repository, as CI does:
//
//	go run ./tools/check
//
// For every lesson listed in go.work it proves that the solution is correct
// (go vet, go test -race, a short fuzz run, the server and client talking
// for real), that the starter builds and fails each step's tests quickly and
// cleanly, that the two differ only where the learner has work to do, and
// that the docs point only at files, anchors, steps and flags that exist.
// It prints one line per check (and, on a terminal, a status line naming the
// check that runs now), the slowest checks, and "N passed, N failed"; it exits
// with status 1 if anything failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

func main() {
	only := flag.String("lesson", "", "check only lessons whose folder name contains this (for example 02)")
	race := flag.String("race", "auto", `run solution tests with -race: "on", "off", or "auto" (on where cgo works)`)
	fuzzTime := flag.Duration("fuzztime", 3*time.Second, "how long to run each fuzz target (0 skips fuzzing)")
	starterLimit := flag.Duration("starter-limit", 20*time.Second, "the longest a starter's tests may run before they count as hanging")
	verbose := flag.Bool("v", false, "print the output of failing commands in full")
	mistakesOnly := flag.String("mistakes", "", "run only the mistake catalogues of lessons whose folder name contains this (for example 02)")
	mistakeFilter := flag.String("mistake", "", "run only the catalogue entries whose description contains this (implies the catalogues only)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./tools/check [flags]\n\nVerifies every lesson listed in go.work. Flags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := course.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	c := &checker{root: root, verbose: *verbose, fuzzTime: *fuzzTime, starterLimit: *starterLimit, last: time.Now(), status: newStatusLine(os.Stdout)}
	c.race = raceEnabled(*race)

	lessons := c.discover()
	var picked []course.Lesson
	for _, l := range lessons {
		if strings.Contains(l.Name, *only) {
			picked = append(picked, l)
		}
	}
	began := time.Now()
	if *mistakesOnly != "" || *mistakeFilter != "" {
		c.checkMistakes(ctx, filterLessons(picked, *mistakesOnly), mistakeOptions{Filter: *mistakeFilter})
		c.summary(began)
	}
	c.checkFormatting()
	c.checkCI()
	for _, l := range picked {
		c.checkMirror(l)
		c.checkStarter(ctx, l)
		c.checkSolution(ctx, l)
		c.checkFuzz(ctx, l)
		c.checkSmoke(ctx, l)
	}
	c.checkHostile(ctx, picked)
	c.checkMistakes(ctx, picked, mistakeOptions{})
	c.checkTools(ctx)
	c.checkTidy(ctx)
	c.checkStaticcheck(ctx, picked)
	c.checkCrossBuild(ctx)
	c.checkDocs(lessons)
	c.checkSpanish()
	c.checkDocCommands(ctx, lessons)

	c.status.finish()
	fmt.Printf("\n%schecked in %s\n", c.slowest(5), time.Since(began).Round(time.Second))
	fmt.Printf("%d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 {
		os.Exit(1)
	}
}
