// Command server is lesson 3's line-echo server: every client served at once
// by a goroutine of its own, at most -max-conns at a time, idle ones closed,
// and a graceful stop on Ctrl-C or SIGTERM.
//
//	go run ./cmd/server                              # listens on 127.0.0.1:12345
//	go run ./cmd/server -addr 127.0.0.1:0 -v         # any free port, log every line
//	go run ./cmd/server -max-conns 100 -idle-timeout 30s -grace 5s
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	goroutines "github.com/sockets-in-go/step-by-step/solutions/lesson03-goroutines"
)

// logLines is how many log lines may wait for a slow standard output before
// the server drops them (and counts them) rather than wait.
const logLines = 4096

func main() {
	// Loopback by default: only programs on this machine can connect. Use
	// -addr 0.0.0.0:12345 to accept clients from the network on purpose.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on, host:port (port 0 picks a free one)")
	maxLine := flag.Int("max-line", goroutines.DefaultMaxLine, "longest line accepted, in bytes, without its newline")
	maxConns := flag.Int("max-conns", 0, "serve at most this many clients at once; others wait in the backlog (0: no limit)")
	idle := flag.Duration("idle-timeout", 0, "close a client that sends nothing, or reads nothing we send, for this long (0: never)")
	grace := flag.Duration("grace", 5*time.Second, "on Ctrl-C or SIGTERM, how long lines in flight may take before connections are closed anyway (0: close at once)")
	verbose := flag.Bool("v", false, "log every line received")
	flag.Parse()
	switch {
	case *maxLine < 1:
		usageError("-max-line must be at least 1")
	case *maxConns < 0:
		usageError("-max-conns must be at least 0 (0: no limit)")
	case *idle < 0:
		usageError("-idle-timeout must be at least 0 (0: never)")
	case *grace < 0:
		usageError("-grace must be at least 0 (0: close at once)")
	case flag.NArg() > 0:
		usageError(fmt.Sprintf("unexpected argument %q", flag.Arg(0)))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	if *maxConns > 0 {
		if ln, err = goroutines.LimitListener(ln, *maxConns); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
	}
	// Every line goes through the queue, so that a standard output nobody
	// reads can hold up neither Serve nor a connection.
	log := goroutines.NewLogQueue(os.Stdout, logLines)
	srv := &goroutines.Server{MaxLine: *maxLine, IdleTimeout: *idle, Log: log, Verbose: *verbose}

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(log, "listening on %s\n", ln.Addr())

	select {
	case err := <-served:
		// Serve returns on its own only when Accept fails for good.
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	case <-signals:
	}
	// A second signal means "now": whoever sends it has seen that the
	// graceful stop is taking too long.
	go func() {
		<-signals
		fmt.Fprintln(os.Stderr, "server: second signal, exiting now")
		os.Exit(1)
	}()

	fmt.Fprintf(log, "shutting down: no new clients, lines in flight have %s to finish\n", *grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	// Past the grace period, Shutdown closes what is left, and logs it.
	srv.Shutdown(graceCtx)
	// Serve returns ErrServerClosed at once, unless it is pausing between
	// two Accept attempts (up to 1s): the grace period bounds that too.
	select {
	case <-served:
	case <-graceCtx.Done():
	}
	fmt.Fprintln(log, "stopped")
	// Give the log a moment to reach a reader, but do not wait for one that
	// never reads.
	flushed, stop := context.WithTimeout(context.Background(), time.Second)
	defer stop()
	log.Flush(flushed.Done())
}

// usageError reports a flag that makes no sense, in one line, and exits with
// status 2, as the flag package does for a flag it cannot parse.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "server:", msg)
	os.Exit(2)
}
