// Command client is lesson 3's line-echo client. It sends each message as a
// line on one connection and prints each echo; with -conns N it runs N such
// connections at once and prints a summary.
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
	"time"

	goroutines "github.com/sockets-in-go/step-by-step/lesson03-goroutines"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "server address, host:port")
	conns := flag.Int("conns", 0, "run this many connections at once and print a summary (0: one connection, print each echo)")
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
	ctx := context.Background()

	if *conns > 0 {
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
