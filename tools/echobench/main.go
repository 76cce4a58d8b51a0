// Command echobench measures the course's echo servers over the wire contract:
// how many lines per second they echo, how long each echo takes, and how much
// memory each held connection costs the server.
//
// Run it from the repository root:
//
//	go run ./tools/echobench pingpong -server solutions/lesson03-goroutines -conns 100
//	go run ./tools/echobench hold -server solutions/lesson04-select-poller -conns 10000
//	go run ./tools/echobench compare -pin -write docs/benchmarks.md
//
// Every mode talks to loopback addresses only, is bounded in time and in
// connections, and stops every server it started, even on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `echobench measures echo servers over the course's wire contract.

Usage:
  echobench pingpong [flags]          N connections echo S-byte lines for D seconds:
                                      messages/s, latency p50/p90/p99/max, errors
  echobench hold [flags]              N connections echo one line each, then stay idle:
                                      the server's memory (RSS) per held connection
  echobench compare [flags] [DIR...]  build every solution's cmd/server, measure each
                                      in turn (fresh process per run, order rotated,
                                      medians), print a table; -write updates the
                                      benchmarks chapter and its SVG charts

Examples, from the repository root:
  go run ./tools/echobench pingpong -server solutions/lesson03-goroutines -conns 100
  go run ./tools/echobench pingpong -addr 127.0.0.1:12345 -conns 10 -d 5s
  go run ./tools/echobench hold -server solutions/lesson04-select-poller -conns 10000
  go run ./tools/echobench compare
  go run ./tools/echobench compare -pin -write docs/benchmarks.md

-server DIR builds DIR/cmd/server, starts it on 127.0.0.1:0 and stops it at the
end; -addr ADDR uses a server that is already running (add -pid PID for its
memory and CPU). Only loopback addresses are accepted. A live progress line is
shown when standard error is a terminal; -json prints one JSON document instead
of text. "echobench MODE -h" lists a mode's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without os.Exit, so that deferred clean-up (stopping servers)
// always happens before the process ends.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Whatever happens below, no server started here outlives echobench.
	defer stopAllServers()

	// The first Ctrl-C cancels the run: measurements stop, servers are
	// stopped, partial results are dropped. A second one stops at once.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		if _, ok := <-signals; !ok {
			return
		}
		fmt.Fprintln(stderr, "\nechobench: interrupted, stopping servers")
		cancel()
		<-signals
		stopAllServers()
		os.Exit(130)
	}()

	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	// The mode is the first argument (os.Args[1]); each mode parses its own
	// flags, listed by "echobench MODE -h".
	var err error
	switch args[0] {
	case "pingpong", "ping-pong":
		err = pingPongCommand(ctx, args[1:], stdout, stderr)
	case "hold":
		err = holdCommand(ctx, args[1:], stdout, stderr)
	case "compare":
		err = compareCommand(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "echobench: unknown mode %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case ctx.Err() != nil:
		return 130
	default:
		fmt.Fprintln(stderr, "echobench:", err)
		return 1
	}
}

// errUsage marks a bad command line; the flag package has already said why.
var errUsage = errors.New("usage")
