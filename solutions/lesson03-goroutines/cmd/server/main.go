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

func main() {
	// Loopback by default: only programs on this machine can connect. Use
	// -addr 0.0.0.0:12345 to accept clients from the network on purpose.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on, host:port (port 0 picks a free one)")
	maxLine := flag.Int("max-line", goroutines.DefaultMaxLine, "longest line accepted, in bytes, without its newline")
	maxConns := flag.Int("max-conns", 0, "serve at most this many clients at once; others wait in the backlog (0: no limit)")
	idle := flag.Duration("idle-timeout", 0, "close a client that sends nothing for this long (0: never)")
	grace := flag.Duration("grace", 5*time.Second, "on Ctrl-C or SIGTERM, how long lines in flight may take before connections are closed anyway")
	verbose := flag.Bool("v", false, "log every line received")
	flag.Parse()

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
	srv := &goroutines.Server{MaxLine: *maxLine, IdleTimeout: *idle, Log: os.Stdout, Verbose: *verbose}

	// The first Ctrl-C or SIGTERM cancels ctx; stop() gives the signals back
	// their default meaning, so a second Ctrl-C kills the server at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("listening on %s\n", ln.Addr())

	select {
	case err := <-served:
		// Serve returns on its own only when Accept fails for good.
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	stop()

	fmt.Printf("shutting down: no new clients, lines in flight have %s to finish\n", *grace)
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
	fmt.Println("stopped")
}
