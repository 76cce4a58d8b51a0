//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 3: one connection's reads, line framing and writes (serviceConn).
// Each test hands the server side of a loopback connection to a Loop and
// runs a small pump of serviceConn (see helpers_test.go), not Run.

// serveOne returns a loop serving one connection and the client's end of it.
func serveOne(t *testing.T, newSelector func() Selector, cfg Config) (l *Loop, fd int, client *net.TCPConn, p *pump, log *logBuffer) {
	t.Helper()
	log = new(logBuffer)
	cfg.Log = log
	l, err := newLoop(newSelector(), cfg)
	require.NoError(t, err, "test setup: newLoop")
	t.Cleanup(l.close) // Runs after the pump has halted (cleanups run last first).
	fd, client = serverSide(t)
	require.NoError(t, l.open(fd, client.LocalAddr().(*net.TCPAddr).AddrPort()), "test setup: open")
	return l, fd, client, startPump(t, l), log
}

func TestStep3_EchoesALineAsSoonAsItIsComplete(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		_, _, client, p, _ := serveOne(t, newSelector, Config{})
		write(t, client, "Hola, mundo!\n")
		p.r.expectEcho(t, client, "Hola, mundo!\n", "Hola, mundo!\n",
			"The client has not half-closed: each line must come back as soon as its '\\n' arrives. Does frame send the whole lines with l.send?")
	})
}

func TestStep3_KeepsAnUnfinishedLineUntilItsEnd(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		_, _, client, p, _ := serveOne(t, newSelector, Config{})
		write(t, client, "Hola, ")
		p.r.expectNothing(t, client, "Hola, ",
			"That is not a whole line yet: keep it in c.in until its '\\n' arrives.")
		write(t, client, "mundo!\nsecond ")
		p.r.expectEcho(t, client, `"Hola, " then "mundo!\nsecond "`, "Hola, mundo!\n",
			"The line began in one read and ended in the next: append the new bytes up to '\\n' to c.in and send c.in.")
		write(t, client, "line\n")
		p.r.expectEcho(t, client, `"second " then "line\n"`, "second line\n",
			"The unfinished rest of a read (\"second \") must wait in c.in for its end.")
	})
}

func TestStep3_EchoesManyLinesFromOneRead(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		_, _, client, p, log := serveOne(t, newSelector, Config{Verbose: true})
		write(t, client, "one\ntwo\nthree\n")
		p.r.expectEcho(t, client, "one\ntwo\nthree\n", "one\ntwo\nthree\n",
			"Three lines arrived in one read: echo every whole line, not only the first.")
		eventually(func() bool { return len(log.received()) >= 3 }) // The log is written by its own goroutine.
		require.Equal(t, []string{"one", "two", "three"}, log.received(),
			"with Verbose, each line is logged once (l.logLine); the log was:\n%s", log)
	})
}

func TestStep3_EchoesTheRestAfterAHalfCloseThenCloses(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		l, fd, client, p, _ := serveOne(t, newSelector, Config{})
		write(t, client, "whole line\nno newline at the end")
		require.NoError(t, client.CloseWrite())
		got, err := p.r.readAll(t, client)
		require.NoErrorf(t, err, "after the client half-closed, reading to the end failed (%s): a read of 0 bytes is the end of the stream, readFrom returns io.EOF then, and serviceConn echoes c.in and enters phaseFlushing. (README.md, Step 3)", p.r.returned())
		require.Equalf(t, "whole line\nno newline at the end", string(got),
			"the client sent a line and an unfinished rest, then half-closed; the rest must be echoed too (nothing is lost), then the connection closed. Handle io.EOF from readFrom: send c.in, enter phaseFlushing. (README.md, Step 3)")
		p.halt(t)
		require.Nilf(t, l.conns.get(fd), "the echo is complete and the client got EOF, but fd %d is still in the connection table: settle closes a flushing connection once c.out is empty. (README.md, Step 3)", fd)
		require.ErrorIsf(t, l.sel.Modify(fd, EventRead, roleConn), ErrNotRegistered,
			"fd %d was closed but is still registered with the selector: closeConn unregisters first. (README.md, Step 3)", fd)
	})
}

func TestStep3_RejectsAnOverlongLineEvenIfTheClientKeepsSending(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		_, _, client, p, _ := serveOne(t, newSelector, Config{MaxLine: 16})
		// A client that keeps sending after its long line, from another
		// goroutine; its writes fail once the server has closed.
		sending := make(chan struct{})
		go func() {
			defer close(sending)
			client.Write([]byte("short line\n" + strings.Repeat("x", 100)))
			chunk := bytes.Repeat([]byte("y"), 64<<10)
			for range 16 {
				if _, err := client.Write(chunk); err != nil {
					return
				}
			}
			client.CloseWrite()
		}()
		got, err := p.r.readAll(t, client)
		<-sending
		want := "short line\nerror: line exceeds 16 bytes\n"
		if errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("the client read %q, then a reset (%v): the server closed with unread input, and the reset destroyed the rest. After the error line, half-close, then read and discard until the client closes (phaseLingering). (README.md, Step 3)", got, err)
		}
		require.NoErrorf(t, err, "reading the answer to an over-long line failed. (README.md, Step 3)")
		require.Equalf(t, want, string(got),
			"with MaxLine 16 the client sent a short line, then 100 bytes without '\\n' and more: the short line comes back, then exactly one error line, then the end. frame returns errLineTooLong; serviceConn calls l.reject. (README.md, Step 3)")
	})
}

func TestStep3_WatchesForWritingOnlyWhileOutputIsPending(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		l, fd, client, p, _ := serveOne(t, newSelector, Config{})
		write(t, client, "ping\n")
		p.r.expectEcho(t, client, "ping\n", "ping\n", "Echo each whole line with l.send.")
		p.halt(t)
		c := l.conns.get(fd)
		require.NotNil(t, c, "the connection was closed after one line, though the client is still there")
		require.Equalf(t, EventRead, c.interest,
			"the echo is written and nothing is pending, but the connection is watched for %v: watch EventWrite only while c.out holds bytes, or every Select returns at once and the loop spins. (setInterest; README.md, Step 3)", c.interest)
		require.Emptyf(t, c.out, "nothing should be pending after the echo arrived, c.out holds %d bytes", len(c.out))
		require.Nilf(t, c.out, "c.out is empty but still holds a %d-byte buffer: release it (l.release) so that idle connections cost no buffer. (README.md, Step 3)", cap(c.out))
	})
}

func TestStep3_StopsReadingFromAClientThatDoesNotRead(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		l, fd, client, p, _ := serveOne(t, newSelector, Config{})
		// The client sends line after line and reads nothing. Once its
		// receive buffer and the server's send buffer are full, the echo
		// piles up in c.out; above highWater the server must stop reading,
		// so the client's own writes block.
		line := []byte(strings.Repeat("z", 63) + "\n")
		chunk := bytes.Repeat(line, 1024) // 64 KiB
		const limit = 256 << 20
		sent := 0
		for attempt := 1; ; attempt++ {
			for sent < limit {
				// A write that makes no progress for a second is blocked.
				client.SetWriteDeadline(time.Now().Add(time.Second))
				n, err := client.Write(chunk)
				sent += n
				if err != nil || p.r.finished(0) {
					break // Blocked: the server stopped reading (or the pump ended).
				}
			}
			p.halt(t)
			c := l.conns.get(fd)
			if c == nil || sent >= limit || c.interest&EventRead == 0 || len(c.out) >= highWater || attempt == 3 {
				break
			}
			p = startPump(t, l) // The server was only slow (a busy machine): go on.
		}
		require.Lessf(t, sent, limit,
			"the client wrote %d MiB without reading a byte and was never held back: the server keeps reading and buffering, and the connection is still watched for reading. Stop watching EventRead while len(c.out) >= highWater (setInterest). (README.md, Step 3)", sent>>20)
		c := l.conns.get(fd)
		require.NotNil(t, c, "the connection was closed; it should only have been held back")
		require.Zerof(t, c.interest&EventRead,
			"c.out holds %d bytes (highWater is %d) and the connection is still watched for reading. (README.md, Step 3)", len(c.out), highWater)
		require.NotZero(t, c.interest&EventWrite, "output is pending: the connection must be watched for EventWrite")
		bound := int64(highWater + readBufferSize)
		require.LessOrEqualf(t, l.peakBuffered.Load(), bound,
			"one connection held %d bytes of input and output at its peak; with backpressure it stays under highWater plus one read (%d). (README.md, Step 3)", l.peakBuffered.Load(), bound)

		// Now the client reads: the server catches up, writes everything,
		// and reads again.
		p = startPump(t, l)
		client.SetWriteDeadline(time.Now().Add(wait))
		client.CloseWrite()
		got, err := p.r.readAll(t, client)
		require.NoError(t, err)
		require.Equalf(t, sent, len(got),
			"the client sent %d bytes, then read; it got %d back. When c.out drains, flush must keep the rest in order and setInterest must watch EventRead again. (README.md, Step 3)", sent, len(got))
	})
}

func TestStep3_ClosesAConnectionThatIsReset(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		l, fd, client, p, log := serveOne(t, newSelector, Config{})
		write(t, client, "half a li")
		client.SetLinger(0) // Close now sends a reset (RST).
		client.Close()
		eventually(func() bool {
			return strings.Contains(log.String(), "closed") || fdClosed(fd) || p.r.finished(0)
		})
		if p.r.finished(0) {
			p.halt(t)
			t.Fatalf("the client reset the connection, and serviceConn returned %v: a connection's own error (here the reset) ends that connection only: l.closeConn(fd, c, err), then return nil. Returned, it would stop the loop and every other client with it. (README.md, Step 3)", p.r.err)
		}
		p.halt(t)
		registered := !errors.Is(l.sel.Modify(fd, EventRead, roleConn), ErrNotRegistered)
		switch {
		case registered && !fdClosed(fd) && l.conns.get(fd) != nil:
			t.Fatalf("the client reset the connection and %s later the server had not closed it: a read error other than EAGAIN or EINTR (here ECONNRESET) ends the connection, with l.closeConn(fd, c, err). The log was:\n%s (README.md, Step 3)", wait, log)
		case registered:
			t.Fatalf("the reset connection was closed but fd %d is still registered with the selector: close it with l.closeConn, which unregisters fd before closing it (the kernel gives the number to the next client, and a registration left behind would report that client's events as this one's). (README.md, Step 3)", fd)
		case l.conns.get(fd) != nil:
			t.Fatalf("the reset connection was unregistered but is still in the connection table: close it with l.closeConn, which also frees its slot. (README.md, Step 3)")
		case !strings.Contains(log.String(), "closed"):
			t.Fatalf("the reset connection was closed without a word in the log: l.closeConn(fd, c, err) logs \"connection from ADDR closed: ERR\". The log was:\n%s (README.md, Step 3)", log)
		}
	})
}

func TestStep3_EAGAINIsNotAnError(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		l, fd, client, p, _ := serveOne(t, newSelector, Config{})
		p.halt(t) // This test calls readFrom and flush itself.
		c := l.conns.get(fd)
		require.NotNil(t, c, "test setup: the connection is not in the table")

		// Nothing to read: a readiness can be stale (another event of the
		// same batch read the bytes, or the kernel reported early).
		err := l.readFrom(fd, c)
		require.NoErrorf(t, err, "readFrom on a connection with nothing to read returned %v: a non-blocking read says EAGAIN then, which is not an error (the readiness was stale): return nil. (README.md, Step 3)", err)

		// The client reads nothing: the kernel's buffers fill up, and a
		// write the kernel cannot take at all says EAGAIN.
		require.NoError(t, unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096), "test setup: SO_SNDBUF")
		pending := bytes.Repeat([]byte("pending\n"), 64<<10) // 512 KiB
		c.out = append(l.keep(nil), pending...)
		for range 1000 {
			before := len(c.out)
			err = l.flush(fd, c)
			if err != nil || len(c.out) == before {
				break
			}
		}
		require.NoErrorf(t, err, "flush, with the client reading nothing and the kernel's buffers full, returned %v: a non-blocking write says EAGAIN when the kernel can take nothing, which is not an error: keep c.out and return nil; the next EventWrite comes when there is room. (README.md, Step 3)", err)
		require.NotEmptyf(t, c.out, "the client read nothing, yet flush wrote all %d bytes away (or dropped them): keep what the kernel did not take in c.out. (README.md, Step 3)", len(pending))
		require.Truef(t, bytes.HasSuffix(pending, c.out), "after the kernel took part of c.out, c.out must hold the rest, in order (the end of what was pending); it holds %d bytes starting %q. (README.md, Step 3)", len(c.out), clip(c.out))

		// Now the client reads everything: flush, at each chance, writes the
		// rest, in order, and gives the buffer back once it is empty.
		received := make(chan []byte, 1)
		go func() {
			client.SetReadDeadline(time.Now().Add(wait))
			got := make([]byte, len(pending))
			n, _ := io.ReadFull(client, got)
			received <- got[:n]
		}()
		deadline := time.Now().Add(wait)
		for len(c.out) > 0 && time.Now().Before(deadline) {
			if err := l.flush(fd, c); err != nil {
				t.Fatalf("flush failed while the client was reading: %v. (README.md, Step 3)", err)
			}
			time.Sleep(time.Millisecond) // Let the client read.
		}
		got := <-received
		require.Equalf(t, len(pending), len(got), "the client read %d of the %d bytes flush had to write. (README.md, Step 3)", len(got), len(pending))
		require.Truef(t, bytes.Equal(pending, got), "the bytes flush wrote, over many short writes, are not what was pending, in order. (README.md, Step 3)")
		require.Nilf(t, c.out, "c.out is empty but still holds a %d-byte buffer: release it (l.release) once flush has written everything, so that idle connections cost no buffer. (README.md, Step 3)", cap(c.out))
	})
}

// fdClosed reports whether fd is no longer an open descriptor.
func fdClosed(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == unix.EBADF
}

func TestStep3_WritesEveryByteInOrderWhenTheKernelTakesOnlyPart(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		_, fd, client, p, _ := serveOne(t, newSelector, Config{})
		// A small send buffer on the server's side: each write the server
		// makes takes only part of what it asks (a short write), and the
		// rest must wait in c.out for the next EventWrite.
		require.NoError(t, unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096), "test setup: SO_SNDBUF")
		var sent bytes.Buffer
		for i := 0; sent.Len() < 256<<10; i++ {
			fmt.Fprintf(&sent, "line %06d %s\n", i, strings.Repeat("abcdefghij", 10))
		}
		sending := make(chan error, 1)
		go func() {
			_, err := client.Write(sent.Bytes())
			if err == nil {
				err = client.CloseWrite()
			}
			sending <- err
		}()
		got, err := p.r.readAll(t, client)
		if werr := <-sending; werr != nil {
			t.Fatalf("the client could not send its %d bytes: %v; it read %d bytes meanwhile (%s). (README.md, Step 3)", sent.Len(), werr, len(got), p.r.returned())
		}
		require.NoErrorf(t, err, "reading the echo of %d bytes failed after %d bytes (%s). Output the kernel did not take waits in c.out: is the connection watched for EventWrite while c.out holds bytes (setInterest, which tells the selector with l.sel.Modify), and does flush write it then? (README.md, Step 3)", sent.Len(), len(got), p.r.returned())
		if !bytes.Equal(got, sent.Bytes()) {
			at := 0
			for at < len(got) && at < sent.Len() && got[at] == sent.Bytes()[at] {
				at++
			}
			t.Fatalf("the client sent %d bytes of numbered lines and got %d back, differing from byte %d on: sent %q, got %q. With small socket buffers each write takes only part of c.out (a short write): flush must keep the unwritten rest, in order, at the front of c.out (c.out = c.out[:copy(c.out, c.out[n:])]), and write it at the next EventWrite. (README.md, Step 3)",
				sent.Len(), len(got), at, clip(sent.Bytes()[at:]), clip(got[at:]))
		}
	})
}
