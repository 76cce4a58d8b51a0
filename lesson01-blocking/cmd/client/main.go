// Command client is lesson 1's echo client: for each message it connects,
// sends the message, half-closes and prints the echo.
//
//	go run ./cmd/client "Hello, world"
//	go run ./cmd/client -addr 127.0.0.1:12345 one two three
//
// It exits with status 1 if an echo is missing or differs from what was sent.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	blocking "github.com/sockets-in-go/step-by-step/lesson01-blocking"
)

func main() {
	network := flag.String("network", "tcp", `"tcp", "tcp4", "tcp6" or "unix"`)
	addr := flag.String("addr", "127.0.0.1:12345", "server address: host:port, or a path for unix")
	timeout := flag.Duration("timeout", 5*time.Second, "give up on a message after this long")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: client [flags] MESSAGE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	switch {
	case !knownNetwork(*network):
		usageError(fmt.Sprintf("-network %q: want tcp, tcp4, tcp6 or unix", *network))
	case *timeout <= 0:
		usageError("-timeout must be more than 0")
	}
	messages := flag.Args()
	if len(messages) == 0 {
		messages = []string{"Hello, world"}
	}

	failed := false
	for _, msg := range messages {
		// One connection per message: the half-close that ends a message
		// also ends the connection's sending side.
		echo, err := blocking.Send(*network, *addr, []byte(msg), *timeout)
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "client: %s: %v\n", preview([]byte(msg)), err)
			failed = true
		case !bytes.Equal(echo, []byte(msg)):
			fmt.Printf("sent %s, received %s: the echo differs\n", preview([]byte(msg)), preview(echo))
			failed = true
		default:
			fmt.Printf("received: %q\n", echo)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// knownNetwork reports whether Send can dial network.
func knownNetwork(network string) bool {
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
		return true
	}
	return false
}

// preview quotes b for a message, shortened if it is long.
func preview(b []byte) string {
	if len(b) > 60 {
		return fmt.Sprintf("%q... (%d bytes)", b[:60], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// usageError reports arguments that make no sense, in one line, and exits
// with status 2, as the flag package does for a flag it cannot parse.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "client:", msg)
	os.Exit(2)
}
