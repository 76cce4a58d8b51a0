// Command server is lesson 2's line-echo server: each complete line is
// echoed as soon as it is complete, one client at a time.
//
//	go run ./cmd/server                          # listens on 127.0.0.1:12345
//	go run ./cmd/server -addr 127.0.0.1:0        # any free port
//	go run ./cmd/server -max-line 16777216       # accept lines up to 16 MiB
package main

import (
	"flag"
	"fmt"
	"os"

	partialio "github.com/sockets-in-go/step-by-step/solutions/lesson02-partial-io"
)

func main() {
	// Loopback by default: only programs on this machine can connect.
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on, host:port (port 0 picks a free one)")
	maxLine := flag.Int("max-line", partialio.DefaultMaxLine, "longest line accepted, in bytes, not counting its newline")
	flag.Parse()
	if *maxLine < 1 {
		fmt.Fprintln(os.Stderr, "server: -max-line must be at least 1")
		os.Exit(2)
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "server: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}

	ln, err := partialio.Listen(*addr, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	// Ctrl-C ends the process, and with it the client being served, if any:
	// lesson 3 stops gracefully.
	if err := partialio.Serve(ln, *maxLine, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
