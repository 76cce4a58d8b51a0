package goroutines

// One client connection, as lesson 2's client talks to a line-echo server.
// This file is complete: step 5 runs many of these at once.

import (
	"bufio"
	"context"
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
// caller's business. The whole conversation must finish within timeout.
// Cancelling ctx ends it early, with ctx's error.
func Send(ctx context.Context, address string, messages []string, timeout time.Duration) ([]string, error) {
	for _, msg := range messages {
		if strings.Contains(msg, "\n") {
			return nil, fmt.Errorf("message %q holds a newline: it would be two lines", msg)
		}
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
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
			return echoes, failed(fmt.Errorf("sending %q: %w", msg, err))
		}
		line, err := in.ReadString('\n')
		if err != nil {
			return echoes, failed(fmt.Errorf("sent %q, no echo (read %q): %w", msg, line, err))
		}
		echoes = append(echoes, strings.TrimSuffix(line, "\n"))
	}

	// "That is all": the server has nothing left to echo, and closes.
	if err := conn.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		return echoes, failed(err)
	}
	rest, err := io.ReadAll(in)
	if err != nil {
		return echoes, failed(fmt.Errorf("after the last echo: %w", err))
	}
	if len(rest) > 0 {
		return echoes, fmt.Errorf("after the last echo the server sent more: %q", rest)
	}
	return echoes, nil
}
