// Command client is lesson 2's line-echo client: over one connection it
// sends each message as a line and prints the echo, reading while it writes.
//
//	go run ./cmd/client "Hello, world" "second line"
//	go run ./cmd/client -addr 127.0.0.1:12345 one two three
//	go run ./cmd/client -size 16777216       # one generated 16 MiB line
//
// It exits with status 1 if an echo is missing or differs from what was sent.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	partialio "github.com/sockets-in-go/step-by-step/solutions/lesson02-partial-io"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "server address, host:port")
	size := flag.Int("size", 0, "send one generated line of this many bytes (newline included) instead of MESSAGEs")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: client [flags] MESSAGE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	switch {
	case *size < 0:
		usageError("-size must be at least 0 (0: send the MESSAGEs)")
	case *timeout <= 0:
		usageError("-timeout must be more than 0")
	case *size > 0 && flag.NArg() > 0:
		usageError("give -size or MESSAGEs, not both")
	}

	var lines [][]byte
	switch {
	case *size > 0:
		lines = [][]byte{generatedLine(*size)}
	case flag.NArg() > 0:
		for _, msg := range flag.Args() {
			if strings.Contains(msg, "\n") {
				usageError(fmt.Sprintf("%q holds a newline: each MESSAGE is sent as one line", preview([]byte(msg))))
			}
			lines = append(lines, []byte(msg+"\n"))
		}
	default:
		lines = [][]byte{[]byte("Hello, world\n")}
	}

	// One deadline for the dial and every message: -timeout bounds the run.
	deadline := time.Now().Add(*timeout)
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.Dial("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)

	// Every message goes over this one connection: with lines, the server
	// knows where each message ends, so no half-close (and no new
	// connection) is needed between them.
	for _, line := range lines {
		began := time.Now()
		echo, err := partialio.Echo(conn, line)
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "client: sent %d bytes, received %d: %q, then %v\n", len(line), len(echo), preview(echo), err)
			os.Exit(1)
		case !bytes.Equal(echo, line):
			fmt.Printf("sent %q, received %q: the echo differs\n", preview(line), preview(echo))
			os.Exit(1)
		case *size > 0:
			fmt.Printf("received %d bytes in %s: the echo matches\n", len(echo), time.Since(began).Round(time.Millisecond))
		default:
			fmt.Printf("received: %q\n", bytes.TrimSuffix(echo, []byte("\n")))
		}
	}
}

// generatedLine returns size bytes: repeating letters, then a "\n".
func generatedLine(size int) []byte {
	line := make([]byte, size)
	for i := range line {
		line[i] = 'a' + byte(i%26)
	}
	line[size-1] = '\n'
	return line
}

// preview shortens a long payload for an error message.
func preview(b []byte) []byte {
	if len(b) > 80 {
		return append(b[:60:60], "..."...)
	}
	return b
}

// usageError reports arguments that make no sense, in one line, and exits
// with status 2, as the flag package does for a flag it cannot parse.
func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "client:", msg)
	os.Exit(2)
}
