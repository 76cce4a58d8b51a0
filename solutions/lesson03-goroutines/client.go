package goroutines

// One client connection, as lesson 2's client talks to a line-echo server.
// This file is complete: step 5 runs many of these at once.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Send opens one connection to the line-echo server at address and, for each
// message in turn, writes it as a line and reads the echoed line back. Then
// it half-closes and expects the server to close without sending more. It
// returns the echoes it read (without their "\n"), and an error if anything
// went wrong on the way; comparing the echoes with the messages is the
// caller's business. The whole conversation, dial included, must finish
// within timeout. Cancelling ctx ends it early, with ctx's error.
//
// Send trusts the server for nothing: it reads at most maxEcho(msg) bytes
// for each echo, so a server that streams bytes with no "\n" cannot make it
// buffer without bound, and its errors quote at most a short prefix.
func Send(ctx context.Context, address string, messages []string, timeout time.Duration) ([]string, error) {
	for _, msg := range messages {
		if strings.Contains(msg, "\n") {
			return nil, fmt.Errorf("message %s holds a newline: it would be two lines", preview(msg))
		}
	}
	// One deadline for everything: a dial that takes most of timeout leaves
	// the conversation only what is left, not a fresh timeout.
	deadline := time.Now().Add(timeout)
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// Cancelling ctx wakes a Read or Write blocked on conn, at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(aLongTimeAgo) })
	defer stop()
	failed := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}

	in := bufio.NewReader(conn)
	echoes := make([]string, 0, len(messages))
	for _, msg := range messages {
		if _, err := io.WriteString(conn, msg+"\n"); err != nil {
			return echoes, failed(fmt.Errorf("sending %s: %w", preview(msg), err))
		}
		line, err := readLine(in, maxEcho(msg))
		if err != nil {
			return echoes, failed(fmt.Errorf("sent %s, no echo (read %s): %w", preview(msg), preview(line), err))
		}
		echoes = append(echoes, strings.TrimSuffix(line, "\n"))
	}

	// "That is all": the server has nothing left to echo, and closes.
	hc, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		return echoes, fmt.Errorf("cannot half-close a %T", conn)
	}
	if err := hc.CloseWrite(); err != nil {
		return echoes, failed(err)
	}
	// Anything at all is wrong here: read a prefix to quote, no more.
	rest, err := io.ReadAll(io.LimitReader(in, previewLen+1))
	if err != nil {
		return echoes, failed(fmt.Errorf("after the last echo: %w", err))
	}
	if len(rest) > 0 {
		return echoes, fmt.Errorf("after the last echo the server sent more: %s", preview(string(rest)))
	}
	return echoes, nil
}

// errEchoTooLong is returned when an echo runs past maxEcho bytes.
var errEchoTooLong = errors.New("the echo is longer than the line sent")

// maxEcho is the most Send reads for the echo of msg, "\n" included: the
// line itself, or the server's error line for a line too long, whichever is
// longer.
func maxEcho(msg string) int {
	return max(len(msg)+1, len("error: line exceeds 9223372036854775807 bytes\n"))
}

// readLine reads up to and including the next "\n", but at most max bytes:
// past that it returns what it read and errEchoTooLong.
func readLine(in *bufio.Reader, max int) (string, error) {
	var line []byte
	for {
		// ReadSlice returns at most the reader's buffer (4 KiB) at a time.
		chunk, err := in.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > max {
			return string(line[:max]), errEchoTooLong
		}
		if err != bufio.ErrBufferFull {
			return string(line), err
		}
	}
}

// previewLen is how much of a long line an error message quotes.
const previewLen = 60

// preview quotes s for an error message, shortened if it is long.
func preview(s string) string {
	if len(s) > previewLen {
		return fmt.Sprintf("%q... (%d bytes)", s[:previewLen], len(s))
	}
	return fmt.Sprintf("%q", s)
}
