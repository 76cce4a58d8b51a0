// Command server is lesson 1's echo server: one client at a time, every byte
// echoed back.
//
//	go run ./cmd/server                          # listens on 127.0.0.1:12345
//	go run ./cmd/server -addr 127.0.0.1:0        # any free port
//	go run ./cmd/server -network unix -addr /tmp/echo.sock
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	blocking "github.com/sockets-in-go/step-by-step/solutions/lesson01-blocking"
)

func main() {
	network := flag.String("network", "tcp", `"tcp", "tcp4", "tcp6" or "unix"`)
	// Loopback by default: only programs on this machine can connect. Use
	// -addr 0.0.0.0:12345 to accept clients from the network on purpose.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on: host:port (port 0 picks a free one), or a path for unix")
	flag.Parse()
	switch *network {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		usageError(fmt.Sprintf("-network %q: want tcp, tcp4, tcp6 or unix", *network))
	}
	if flag.NArg() > 0 {
		usageError(fmt.Sprintf("unexpected argument %q", flag.Arg(0)))
	}

	ln, err := blocking.Listen(*network, *addr, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}

	// Ctrl-C closes the listener, so that a Unix socket file is removed.
	// The client being served, if any, is cut off: lesson 3 stops gracefully.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		ln.Close()
		os.Exit(0)
	}()

	if err := blocking.Serve(ln, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// usageError reports arguments that make no sense, in one line, and exits
// with status 2, as the flag package does for a flag it cannot parse.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "server:", msg)
	os.Exit(2)
}
