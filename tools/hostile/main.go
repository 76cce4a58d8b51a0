// Command hostile attacks the course's echo servers as a hostile peer
// would, through their command-line contract: it builds each cmd/server,
// starts it on 127.0.0.1:0, reads its "listening on" line, and runs every
// case that applies to it (see tools/internal/hostile/cases.go).
//
//	go run ./tools/hostile                                         # every solution
//	go run ./tools/hostile -server solutions/lesson03-goroutines   # one server
//	go run ./tools/hostile -server lesson03-goroutines -case 'stop|signal'
//	go run ./tools/hostile -list
//
// It prints one line per case and server, ends with a count, and exits 1
// if a case failed. tools/check runs the same suite.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
	"github.com/sockets-in-go/step-by-step/tools/internal/hostile"
)

// serverList is the repeatable -server flag.
type serverList []string

func (s *serverList) String() string     { return strings.Join(*s, ",") }
func (s *serverList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var servers serverList
	flag.Var(&servers, "server", "a `DIR` holding cmd/server (and cmd/client) to attack; repeat for several (default: every solution in go.work)")
	match := flag.String("case", "", "run only cases whose name matches this `REGEXP`")
	list := flag.Bool("list", false, "list the cases and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./tools/hostile [flags]\n\nAttacks echo servers through their command line, on loopback. Flags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "hostile: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if *list {
		for _, c := range hostile.Cases {
			needs := ""
			if len(c.Needs) > 0 {
				needs = fmt.Sprintf(" (needs %v)", c.Needs)
			}
			fmt.Printf("%-24s %s%s\n", c.Name, c.Doc, needs)
		}
		return
	}
	cfg := hostile.Config{Servers: servers}
	if *match != "" {
		re, err := regexp.Compile(*match)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hostile: -case: %v\n", err)
			os.Exit(2)
		}
		cfg.Match = re
	}
	if len(cfg.Servers) == 0 {
		root, err := course.FindRoot(".")
		if err != nil {
			fmt.Fprintln(os.Stderr, "hostile:", err)
			os.Exit(2)
		}
		lessons, err := course.Lessons(root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hostile:", err)
			os.Exit(2)
		}
		for _, l := range lessons {
			if l.Solution != "" {
				cfg.Servers = append(cfg.Servers, l.Solution)
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	counts := map[hostile.Outcome]int{}
	cfg.Report = func(r hostile.Result) {
		counts[r.Outcome]++
		fmt.Println(hostile.Format(r))
	}
	began := time.Now()
	_, err := hostile.Run(ctx, cfg)
	fmt.Printf("\n%d passed, %d failed, %d skipped in %s\n", counts[hostile.Passed], counts[hostile.Failed], counts[hostile.Skipped],
		time.Since(began).Round(time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	if counts[hostile.Failed] > 0 {
		os.Exit(1)
	}
}
