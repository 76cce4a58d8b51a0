package partialio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// DefaultMaxLine is the longest line the server accepts (not counting its
// "\n") unless told otherwise: 64 KiB, far more than any line a person types,
// small enough that a client cannot make the server buffer without end.
const DefaultMaxLine = 65536

// drainTime bounds the lingering close after an over-long line: how long the
// server keeps reading (and discarding) a client that goes on sending, so
// that its error line arrives before the connection is closed.
const drainTime = time.Second

// Listen opens a TCP listening socket on address and writes "listening on
// ADDR" to log, with the address the kernel bound. Lesson 1, step 1.
func Listen(address string, log io.Writer) (net.Listener, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "listening on %s\n", ln.Addr())
	return ln, nil
}

// Handle is the line-echo server for one client. It writes back each complete
// "\n"-terminated line as soon as it is complete, and logs it as
// `received: "..."`. Many lines in one Read and one line over many Reads both
// work, because lines come from a LineReader (step 2).
//
// When the client half-closes, Handle writes back the unterminated remainder
// (if any), closes conn and returns nil. A line longer than maxLine bytes gets
// one line back, "error: line exceeds MAX bytes", then a lingering close
// (step 5), and Handle returns an error wrapping ErrLineTooLong. Any other
// error closes conn and is returned.
//
// Step 4. Loop over lines.ReadLine(): log (logReceived) and write back every
// line it returns, even one that comes with an error; then handle the error.
// See README.md, "Step 4".
func Handle(conn net.Conn, maxLine int, log io.Writer) error {
	defer conn.Close()
	lines := NewLineReader(conn, maxLine)
	for {
		line, err := lines.ReadLine()
		// Echo first, then look at err: at the end of the stream the last,
		// unterminated line comes together with io.EOF.
		if len(line) > 0 {
			logReceived(log, line)
			if _, werr := conn.Write(line); werr != nil {
				return werr
			}
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			return nil // The client half-closed and every byte went back.
		case errors.Is(err, ErrLineTooLong):
			fmt.Fprintf(conn, "error: line exceeds %d bytes\n", maxLine)
			// A plain Close with the client's bytes still unread would
			// send a reset, and the reset can destroy the error line.
			// LingeringClose closes conn, so the deferred Close closes it
			// a second time: harmless, it only returns an error (ignored).
			LingeringClose(conn, drainTime)
			return fmt.Errorf("%w: more than %d bytes without a newline", ErrLineTooLong, maxLine)
		default:
			return err
		}
	}
}

// logReceived logs one line as `received: "..."`. A line longer than 64
// bytes is cut short and its length added, so that a 16 MiB line does not
// flood the terminal (or slow the server down while it is quoted).
func logReceived(log io.Writer, line []byte) {
	const show = 64
	if len(line) <= show {
		fmt.Fprintf(log, "received: %q\n", line)
		return
	}
	fmt.Fprintf(log, "received: %q... (%d bytes)\n", line[:show], len(line))
}

// Serve accepts clients one after another and runs Handle for each, as in
// lesson 1: a client waits in the listen backlog until the one before it has
// gone. It logs "connection from ADDR" for each client and the error Handle
// returns, if any. When ln is closed, Serve returns nil.
func Serve(ln net.Listener, maxLine int, log io.Writer) error {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "connection from %s\n", conn.RemoteAddr())
		if err := Handle(conn, maxLine, log); err != nil {
			// One client's trouble must not stop the server.
			fmt.Fprintf(log, "connection from %s ended: %v\n", conn.RemoteAddr(), err)
		}
	}
}
