//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

// Command client is lesson 4's multi-connection echo client: -conns
// connections at once, all on one goroutine and one selector. Each sends
// every message as a line, half-closes, and checks the echo.
//
//	go run ./cmd/client "Hello, world" "second line"
//	go run ./cmd/client -conns 1000 ping
//
// With one connection it prints each echoed line; with more, a summary. It
// exits with status 1 if an echo is missing or differs, and with status 2
// (and a one-line error) for a flag out of range or a message that holds a
// newline or is longer than -max-line.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	poller "github.com/sockets-in-go/step-by-step/lesson04-select-poller"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "server address, host:port")
	conns := flag.Int("conns", 1, "connections to open at once")
	maxLine := flag.Int("max-line", 65536, "longest message sent, in bytes (the server's -max-line)")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on the echoes after this long, connecting included")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: client [flags] MESSAGE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	messages := flag.Args()
	if len(messages) == 0 {
		messages = []string{"Hello, world"}
	}
	if err := checkArgs(*conns, *maxLine, *timeout, messages); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(2)
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

// checkArgs refuses what cannot be sent as the contract says, before any
// connection is made.
func checkArgs(conns, maxLine int, timeout time.Duration, messages []string) error {
	switch {
	case conns < 1:
		return fmt.Errorf("-conns %d: want at least 1", conns)
	case maxLine < 1:
		return fmt.Errorf("-max-line %d: want at least 1", maxLine)
	case timeout <= 0:
		return fmt.Errorf("-timeout %s: want more than 0", timeout)
	}
	for i, m := range messages {
		if strings.ContainsRune(m, '\n') {
			return fmt.Errorf("message %d contains a newline; each message is sent as one line, so send each line as its own message", i+1)
		}
		if len(m) > maxLine {
			return fmt.Errorf("message %d is %d bytes; the server echoes lines of at most -max-line %d bytes", i+1, len(m), maxLine)
		}
	}
	return nil
}
