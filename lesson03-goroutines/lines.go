package goroutines

// The line-echo contract, as lesson 2 built it. This file is complete: you
// wrote its like in lesson 2, and lesson 3 is about running it for many
// clients at once.
//
//   - Each complete "\n"-terminated line is written back as soon as its "\n"
//     arrives, however the bytes were split into reads.
//   - When the client half-closes, an unterminated remainder is written back,
//     then the server closes: nothing the client sent is lost.
//   - A line longer than the limit gets one error line, "error: line exceeds
//     65536 bytes", and a lingering close, so that the error reaches a client
//     that is still sending.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// DefaultMaxLine is the longest line the server accepts, in bytes, not
// counting its "\n", when Server.MaxLine is 0.
const DefaultMaxLine = 65536

// readSize is how much one Read asks for. This buffer, and the goroutine that
// reads into it, are most of what a connection costs: see
// docs/03-goroutines.md.
const readSize = 4096

// drainTime bounds a lingering close: how long the server goes on reading
// (and discarding) after it has half-closed, waiting for the client to close.
const drainTime = time.Second

// lineTooLongError ends a conversation whose line grew past the limit.
type lineTooLongError struct{ max int }

func (e lineTooLongError) Error() string { return fmt.Sprintf("line exceeds %d bytes", e.max) }

// lineConn is one client of the line-echo server: its connection, and the
// start of a line that has arrived but not yet ended.
type lineConn struct {
	net.Conn
	maxLine  int
	partial  []byte            // bytes of a line whose "\n" has not arrived yet
	received func(line []byte) // called with each complete line, without its "\n"; may be nil
	echoed   int               // complete lines written back so far

	// writeTimeout bounds each Write (0: no bound). A client that sends and
	// never reads fills the socket buffers towards it, and then Write waits
	// for it for ever, holding the connection (and its slot in a limit):
	// no read deadline covers a goroutine blocked in Write.
	writeTimeout time.Duration
}

// errNotReading ends a conversation whose echo waited writeTimeout in Write:
// the client does not read what it is sent.
var errNotReading = errors.New("the client stopped reading")

// write writes p within writeTimeout, if one is set.
func (c *lineConn) write(p []byte) error {
	if c.writeTimeout > 0 {
		c.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	_, err := c.Write(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: an echo waited %s to be sent", errNotReading, c.writeTimeout)
	}
	return err
}

// readLines reads once and writes back every line this read completed. It
// returns Read's error (io.EOF once the client has half-closed) after the
// bytes that came with it are handled; a lineTooLongError when a line passes
// the limit (the lines before it are echoed first); or Write's error.
func (c *lineConn) readLines(buf []byte) error {
	n, err := c.Read(buf)
	if n > 0 {
		if werr := c.echoComplete(buf[:n]); werr != nil {
			return werr
		}
	}
	return err
}

// echoComplete appends data to the partial line and writes back, in one
// Write, every line that is now complete.
func (c *lineConn) echoComplete(data []byte) error {
	c.partial = append(c.partial, data...)
	end := 0 // c.partial[:end] holds complete lines within the limit
	tooLong := false
	for {
		i := bytes.IndexByte(c.partial[end:], '\n')
		if i < 0 {
			tooLong = len(c.partial)-end > c.maxLine
			break
		}
		if i > c.maxLine {
			tooLong = true
			break
		}
		if c.received != nil {
			c.received(c.partial[end : end+i])
		}
		end += i + 1
		c.echoed++
	}
	if end > 0 {
		if err := c.write(c.partial[:end]); err != nil {
			return err
		}
		// Keep only the unfinished line, at the start of the same array.
		c.partial = append(c.partial[:0], c.partial[end:]...)
	}
	if tooLong {
		return lineTooLongError{c.maxLine}
	}
	return nil
}

// inFlight reports how many bytes of an unfinished line the server holds.
func (c *lineConn) inFlight() int { return len(c.partial) }

// finish ends a conversation the client has half-closed: it writes back the
// unterminated remainder, if any, then closes.
func (c *lineConn) finish() error {
	var err error
	if len(c.partial) > 0 {
		err = c.write(c.partial)
		c.partial = nil
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// refuse tells the client its line is too long and closes with a lingering
// close. It returns the lineTooLongError, for the server's log.
func (c *lineConn) refuse() error {
	c.write(fmt.Appendf(nil, "error: line exceeds %d bytes\n", c.maxLine))
	c.partial = nil
	c.lingerClose()
	return lineTooLongError{c.maxLine}
}

// lingerClose closes gently. It half-closes first, so the client reads
// everything written so far and then EOF. Then it reads and discards what the
// client still sends, until the client closes or drainTime passes:
// closing a socket with unread input makes the kernel send a reset, and a
// reset can destroy data the client has not read yet, such as an error line.
func (c *lineConn) lingerClose() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok && hc.CloseWrite() == nil {
		c.SetReadDeadline(time.Now().Add(drainTime))
		io.Copy(io.Discard, c.Conn)
	}
	return c.Close()
}
