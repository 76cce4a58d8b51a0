//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

// Command server is lesson 4's echo server: every connection served by one
// goroutine, over epoll (Linux) or kqueue (macOS, BSD), or poll(2) with
// -poll. Each line comes back as soon as it is complete.
//
//	go run ./cmd/server                              # listens on 127.0.0.1:12345
//	go run ./cmd/server -addr 127.0.0.1:0 -v         # any free port; log every line
//	go run ./cmd/server -max-conns 1000 -idle-timeout 30s
//
// SIGINT (Ctrl-C) or SIGTERM stops it gracefully: no new clients, idle ones
// closed, in-flight lines finished within -grace (0: none, everything closed
// at once); then it exits 0. A second signal exits at once, with status 1.
// A flag out of range is refused with a one-line error and status 2.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	poller "github.com/sockets-in-go/step-by-step/lesson04-select-poller"
)

func main() {
	// Loopback by default: only programs on this machine can connect.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on, host:port (port 0 picks a free one)")
	maxLine := flag.Int("max-line", 65536, "longest line echoed, in bytes, without its newline; a longer one gets an error and the connection closes")
	maxConns := flag.Int("max-conns", 0, "most connections served at once (0: no limit); more wait in the backlog")
	idle := flag.Duration("idle-timeout", 0, "close a connection that sends nothing for this long (0: never)")
	grace := flag.Duration("grace", 5*time.Second, "on SIGINT/SIGTERM, how long in-flight lines may take to finish (0: close everything at once)")
	verbose := flag.Bool("v", false, "log every line received (slow under load)")
	usePoll := flag.Bool("poll", false, "use poll(2) instead of epoll or kqueue")
	flag.Parse()
	if err := checkFlags(*maxLine, *maxConns, *idle, *grace); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(2)
	}

	ln, err := poller.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	newSelector := poller.NewSelector
	if *usePoll {
		newSelector = poller.NewPollSelector
	}
	sel, err := newSelector()
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	loop, err := poller.NewLoop(ln, sel, poller.Config{
		MaxLine: *maxLine, MaxConns: *maxConns, IdleTimeout: *idle, Grace: *grace,
		Verbose: *verbose, Log: os.Stdout,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())

	// The signal arrives on the runtime's signal goroutine; Stop wakes the
	// loop through its wake-up descriptor. Every connection stays on the
	// goroutine that calls Run, which logs "shutting down: ..." and, at the
	// end, "stopped" (through its log queue: a stdout nobody reads must not
	// stop the server, nor its stop). A second signal means "now".
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		loop.Stop()
		<-signals
		fmt.Fprintln(os.Stderr, "server: second signal, exiting now")
		os.Exit(1)
	}()
	if err := loop.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// checkFlags refuses values that mean nothing, rather than guess: the same
// rules as lesson 3's server.
func checkFlags(maxLine, maxConns int, idle, grace time.Duration) error {
	switch {
	case maxLine < 1:
		return fmt.Errorf("-max-line %d: want at least 1", maxLine)
	case maxConns < 0:
		return fmt.Errorf("-max-conns %d: want 0 (no limit) or more", maxConns)
	case idle < 0:
		return fmt.Errorf("-idle-timeout %s: want 0 (none) or more", idle)
	case grace < 0:
		return fmt.Errorf("-grace %s: want 0 (close everything at once) or more", grace)
	}
	return nil
}
