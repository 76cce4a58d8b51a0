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
			fmt.Fprintf(os.Stderr, "client: %q: %v\n", msg, err)
			failed = true
		case !bytes.Equal(echo, []byte(msg)):
			fmt.Printf("sent %q, received %q: the echo differs\n", msg, echo)
			failed = true
		default:
			fmt.Printf("received: %q\n", echo)
		}
	}
	if failed {
		os.Exit(1)
	}
}
