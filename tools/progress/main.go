// Command progress is the learner's companion: it runs each lesson's tests
// and shows where you are, what to do next, and a hint for it.
//
//	go run ./tools/progress                  the checklist of every lesson and step
//	go run ./tools/progress -watch           re-run the current lesson whenever you save a file
//	go run ./tools/progress hint [L.]N       the hint of step N (of lesson L; default: the current lesson)
//	go run ./tools/progress reset LESSON     restore a lesson's starter files (asks first)
//
// Run it from anywhere inside the repository.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

func main() {
	watch := flag.Bool("watch", false, "re-run the current lesson's tests whenever a file in it changes (Ctrl-C to stop)")
	every := flag.Duration("every", 500*time.Millisecond, "with -watch: how often to look for changed files")
	limit := flag.Duration("limit", 60*time.Second, "the longest one lesson's tests may run; a test still running then is reported as hanging")
	from := flag.String("from", "", "with reset: the git commit to restore the starter from (default: origin/HEAD if it exists, else HEAD)")
	yes := flag.Bool("yes", false, "with reset: do not ask before restoring")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `usage:
  go run ./tools/progress [-watch]           show every lesson's steps and what to do next
  go run ./tools/progress hint [LESSON.]STEP show one step's hint (hint 3, hint 2.3)
  go run ./tools/progress reset LESSON       restore a lesson's starter files (reset 1, reset lesson01-blocking)

flags:
`)
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root, err := course.FindRoot(".")
	if err == nil {
		p := &progress{root: root, out: os.Stdout, limit: *limit}
		switch flag.Arg(0) {
		case "":
			if *watch {
				err = p.watch(ctx, *every)
			} else {
				err = p.overview(ctx)
			}
		case "hint":
			err = p.hint(ctx, flag.Arg(1))
		case "reset":
			err = p.reset(flag.Arg(1), *from, *yes, os.Stdin)
		default:
			err = fmt.Errorf("unknown command %q; see go run ./tools/progress -h", flag.Arg(0))
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(1)
	}
}

// progress holds what every command needs.
type progress struct {
	root  string
	out   io.Writer
	limit time.Duration
}
