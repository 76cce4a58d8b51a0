//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

// Command client is lesson 4's multi-connection echo client: -conns
// connections at once, all on one goroutine and one selector. Each sends
// every message as a line, half-closes, and checks the echo.
//
//	go run ./cmd/client "Hello, world" "second line"
//	go run ./cmd/client -conns 1000 ping
//
// With one connection it prints each echoed line; with more, a summary. It
// exits with status 1 if an echo is missing or differs.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	poller "github.com/sockets-in-go/step-by-step/lesson04-select-poller"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "server address, host:port")
	conns := flag.Int("conns", 1, "connections to open at once")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on the echoes after this long")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: client [flags] MESSAGE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	messages := flag.Args()
	if len(messages) == 0 {
		messages = []string{"Hello, world"}
	}

	sel, err := poller.NewSelector()
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	defer sel.Close()
	began := time.Now()
	results, err := poller.RunClient(sel, *addr, *conns, messages, *timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	failed := 0
	for i, r := range results {
		if r.Err != nil {
			failed++
			if failed <= 5 {
				fmt.Fprintf(os.Stderr, "client: connection %d: %v\n", i+1, r.Err)
			}
			continue
		}
		if *conns == 1 {
			for _, line := range bytes.SplitAfter(r.Echo, []byte("\n")) {
				if len(line) > 0 {
					fmt.Printf("received: %q\n", bytes.TrimSuffix(line, []byte("\n")))
				}
			}
		}
	}
	if *conns > 1 || failed > 0 {
		fmt.Printf("%d connections, %d messages each: %d echoed correctly, %d failed, in %s\n",
			*conns, len(messages), *conns-failed, failed, time.Since(began).Round(time.Millisecond))
	}
	if failed > 0 {
		os.Exit(1)
	}
}
