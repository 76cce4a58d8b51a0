// Command client is lesson 3's line-echo client. It sends each message as a
// line on one connection and prints each echo; with -conns N (N > 1) it runs
// N such connections at once and prints a summary.
//
//	go run ./cmd/client "Hello, world" "second line"
//	go run ./cmd/client -addr 127.0.0.1:12345 -conns 200 ping pong
//
// It exits with status 1 if an echo is missing or differs from what was sent.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	goroutines "github.com/sockets-in-go/step-by-step/solutions/lesson03-goroutines"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "server address, host:port")
	conns := flag.Int("conns", 1, "run this many connections at once; with more than one, print a summary instead of each echo")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on a connection after this long")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: client [flags] MESSAGE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	messages := flag.Args()
	if len(messages) == 0 {
		messages = []string{"Hello, world"}
	}
	switch {
	case *conns < 1:
		usageError("-conns must be at least 1")
	case *timeout <= 0:
		usageError("-timeout must be more than 0")
	}
	for _, msg := range messages {
		if strings.Contains(msg, "\n") {
			usageError(fmt.Sprintf("%q holds a newline: each MESSAGE is sent as one line", msg))
		}
	}
	ctx := context.Background()

	if *conns > 1 {
		sum, err := goroutines.SendMany(ctx, *addr, *conns, messages, *timeout)
		fmt.Println(sum)
		if err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(1)
		}
		return
	}

	echoes, err := goroutines.Send(ctx, *addr, messages, *timeout)
	failed := err != nil
	for i, echo := range echoes {
		if echo != messages[i] {
			fmt.Printf("sent %q, received %q: the echo differs\n", messages[i], echo)
			failed = true
			continue
		}
		fmt.Printf("received: %q\n", echo)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
	}
	if failed {
		os.Exit(1)
	}
}

// usageError reports arguments that make no sense, in one line, and exits
// with status 2, as the flag package does for a flag it cannot parse.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "client:", msg)
	os.Exit(2)
}
