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
// closed, in-flight lines finished within -grace; then it exits 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	poller "github.com/sockets-in-go/step-by-step/solutions/lesson04-select-poller"
)

func main() {
	// Loopback by default: only programs on this machine can connect.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on, host:port (port 0 picks a free one)")
	maxLine := flag.Int("max-line", 65536, "longest line echoed, in bytes, without its newline; a longer one gets an error and the connection closes")
	maxConns := flag.Int("max-conns", 0, "most connections served at once (0: no limit); more wait in the backlog")
	idle := flag.Duration("idle-timeout", 0, "close a connection that sends nothing for this long (0: never)")
	grace := flag.Duration("grace", 5*time.Second, "on SIGINT/SIGTERM, how long in-flight lines may take to finish")
	verbose := flag.Bool("v", false, "log every line received (slow under load)")
	usePoll := flag.Bool("poll", false, "use poll(2) instead of epoll or kqueue")
	flag.Parse()

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
	// goroutine that calls Run.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	go func() {
		<-ctx.Done()
		fmt.Printf("shutting down: no new clients, lines in flight have %s to finish\n", *grace)
		loop.Stop()
	}()
	if err := loop.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	fmt.Println("stopped")
}
