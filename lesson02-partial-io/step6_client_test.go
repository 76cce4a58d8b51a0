package partialio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 6: Echo is the client: it writes while it reads, and reads exactly
// what it sent.

// echo calls Echo and waits for it a little longer than the deadline set on
// conn, so an Echo that hangs in spite of the deadline fails the test
// instead of hanging it.
func echo(t *testing.T, conn net.Conn, message []byte, deadline time.Duration) ([]byte, error) {
	t.Helper()
	conn.SetDeadline(time.Now().Add(deadline))
	type result struct {
		echo []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		got, err := Echo(conn, message)
		ch <- result{got, err}
	}()
	select {
	case r := <-ch:
		requireDone(t, 6, "Echo", r.err)
		return r.echo, r.err
	case <-time.After(deadline + wait):
		conn.Close()
		t.Fatalf("Echo of %d bytes had not returned %s after the connection's deadline: when a Read or Write fails, return its error; close the connection so that the other goroutine's Write or Read fails too. (README.md, Step 6)",
			len(message), wait)
		return nil, nil
	}
}

func TestStep6_EchoesALine(t *testing.T) {
	peer := startPeer(t, echoPeer)
	conn := dialAddr(t, peer.Addr().String())
	got, err := echo(t, conn, []byte("Hello, world\n"), wait)
	if len(got) > len("Hello, world\n") {
		t.Fatalf("Echo of %q (%d bytes) returned %d bytes, %s: read exactly len(message) bytes, into a buffer of that size. (README.md, Step 6)",
			"Hello, world\n", len("Hello, world\n"), len(got), quote(got))
	}
	require.NoErrorf(t, err, "Echo of %q to an echo server failed: %v. (README.md, Step 6)", "Hello, world\n", err)
	require.Truef(t, string(got) == "Hello, world\n", "Echo of %q returned %s: it must return the len(message) bytes the server sent back. (README.md, Step 6)", "Hello, world\n", quote(got))
}

func TestStep6_ReadsExactlyWhatItSentAndNoMore(t *testing.T) {
	// This server answers the first line with its echo and, in the same
	// Write, the answer to a question nobody asked yet.
	peer := startPeer(t, func(conn *net.TCPConn) {
		line, err := NewLineReader(conn, 100).ReadLine()
		if err == nil {
			conn.Write(append(line, "extra\n"...))
		}
		io.Copy(io.Discard, conn)
	})
	conn := dialAddr(t, startSplitter(t, peer.Addr().String()))
	got, err := echo(t, conn, []byte("first\n"), wait)
	require.NoErrorf(t, err, "Echo of %q, with the echo arriving one byte per segment, failed: %v. Read with ReadExactly (step 1); one Read returns only what has arrived. (README.md, Step 6)", "first\n", err)
	require.Truef(t, string(got) == "first\n", "Echo of %q, with the echo arriving one byte per segment, returned %s: read with ReadExactly (step 1); one Read returns only what has arrived. (README.md, Step 6)", "first\n", quote(got))

	rest := make([]byte, len("extra\n"))
	_, err = io.ReadFull(conn, rest)
	require.NoErrorf(t, err, "after Echo, reading the %q the server sent next failed: %v. Echo must leave the connection open, and leave in it what follows the echo. (README.md, Step 6)", "extra\n", err)
	require.Truef(t, string(rest) == "extra\n",
		"the server sent %q after the echo; Echo must leave it in the connection for whoever reads next, but it was gone: read exactly len(message) bytes, into a buffer of that size. (README.md, Step 6)", "extra\n")
}

func TestStep6_ReportsAnEchoCutShort(t *testing.T) {
	peer := startPeer(t, func(conn *net.TCPConn) {
		buf := make([]byte, 3)
		io.ReadFull(conn, buf)
		conn.Write(buf) // three bytes back, then hang up
		// Hang up politely: half-close, then drain, so the client reads
		// EOF rather than a reset (step 5).
		conn.CloseWrite()
		io.Copy(io.Discard, conn)
	})
	conn := dialAddr(t, peer.Addr().String())
	got, err := echo(t, conn, []byte("a longer message\n"), wait)
	require.Truef(t, err == io.ErrUnexpectedEOF,
		"the server echoed %q and closed; Echo returned %s, %v; want io.ErrUnexpectedEOF: an echo that is missing bytes is an error. (README.md, Step 6)", "a l", quote(got), err)
	require.Truef(t, string(got) == "a l", "the server echoed %q and closed; Echo returned %s: it must return the bytes that did arrive, for the error message. (README.md, Step 6)", "a l", quote(got))
}

func TestStep6_ReportsAnEchoThatNeverCame(t *testing.T) {
	peer := startPeer(t, func(conn *net.TCPConn) {
		// Hang up politely without echoing a byte: the client reads EOF.
		conn.CloseWrite()
		io.Copy(io.Discard, conn)
	})
	conn := dialAddr(t, peer.Addr().String())
	got, err := echo(t, conn, []byte("anyone there?\n"), wait)
	require.Truef(t, err == io.ErrUnexpectedEOF,
		"the server closed without echoing a byte; Echo returned %s, %v; want io.ErrUnexpectedEOF. We sent bytes, so no echo at all is an echo cut short, not a clean end: turn ReadExactly's io.EOF into io.ErrUnexpectedEOF. (README.md, Step 6)", quote(got), err)
}

func TestStep6_ClosesTheConnectionWhenTheEchoFails(t *testing.T) {
	// This server never reads and never answers: the client's Write stalls
	// once the buffers are full, and its Read waits for an echo in vain.
	quit := make(chan struct{})
	peer := startPeer(t, func(conn *net.TCPConn) {
		smallBuffers(conn)
		<-quit
	})
	t.Cleanup(func() { close(quit) }) // Runs before startPeer's clean-up, which waits for this peer.
	conn := dialAddr(t, peer.Addr().String())
	smallBuffers(conn)
	// A deadline on reading only: the Write has none, as when a caller
	// bounds how long it waits for an answer but not how long it sends.
	readFor := 300 * time.Millisecond
	conn.SetWriteDeadline(time.Time{})
	conn.SetReadDeadline(time.Now().Add(readFor))
	message := numberedLines(4<<10, 1<<10) // 4 MiB, far more than the buffers hold

	type result struct {
		echo []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		got, err := Echo(conn, message)
		ch <- result{got, err}
	}()
	timer := time.NewTimer(readFor + wait)
	defer timer.Stop()
	select {
	case r := <-ch:
		requireDone(t, 6, "Echo", r.err)
		require.Errorf(t, r.err, "the server never answered and the read deadline passed, yet Echo returned %s and no error. (README.md, Step 6)", quote(r.echo))
		_, err := conn.Write([]byte("x"))
		require.Truef(t, errors.Is(err, net.ErrClosed),
			"Echo returned %v, but a Write on the connection afterwards gave %v: when the read fails, close conn, which also ends the Write stuck in the other goroutine. (README.md, Step 6)", r.err, err)
	case <-timer.C:
		conn.Close() // ends Echo, so the test does not leave it blocked
		t.Fatalf("the read deadline passed %s ago and Echo had not returned: its writer is stuck in Write, because the server reads nothing. When the read fails, close conn: that ends the stuck Write, and then wait for the writer. (README.md, Step 6)", wait)
	}
}

func TestStep6_SixteenMiBWithoutDeadlock(t *testing.T) {
	var echoed atomic.Int64 // bytes the server has read and written back so far
	peer := startPeer(t, func(conn *net.TCPConn) {
		smallBuffers(conn)
		io.Copy(conn, io.TeeReader(conn, countingWriter{&echoed}))
	})
	conn := dialAddr(t, peer.Addr().String())
	smallBuffers(conn)
	_, err := echo(t, conn, []byte("a small one first\n"), wait)
	require.NoErrorf(t, err, "Echo of one short line failed: %v; see TestStep6_EchoesALine. (README.md, Step 6)", err)
	conn.SetDeadline(time.Now().Add(bigWait))
	sent := numberedLines(16<<10, 1<<10) // 16 MiB

	type result struct {
		echo []byte
		err  error
	}
	done := make(chan result, 1)
	began := time.Now()
	go func() {
		got, err := Echo(conn, sent)
		done <- result{got, err}
	}()
	// Watch the server's progress: when it has echoed nothing more for a
	// while, both sides are stuck, and waiting longer will not help.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := int64(-1), time.Now()
	for {
		select {
		case r := <-done:
			requireDone(t, 6, "Echo", r.err)
			require.NoErrorf(t, r.err, "Echo of 16 MiB failed with %v: %s. (README.md, Step 6)", r.err, firstDifference(sent, r.echo))
			require.Truef(t, bytes.Equal(sent, r.echo), "Echo of 16 MiB: %s. (README.md, Step 6)", firstDifference(sent, r.echo))
			t.Logf("16 MiB echoed in %s", time.Since(began).Round(time.Millisecond))
			return
		case <-tick.C:
			if n := echoed.Load(); n != last {
				last, lastChange = n, time.Now()
				continue
			}
			if time.Since(lastChange) < stall {
				continue
			}
			conn.Close() // ends Echo, so the test does not leave it blocked
			t.Fatalf(`Echo of 16 MiB is stuck: a deadlock. The server has read %d bytes
of the message and has moved nothing for %s.
The server echoes as it reads. While your client is busy writing and not yet
reading, the echo piles up in the socket buffers towards you; when they are
full, the server's Write blocks, so it stops reading; then the buffers towards
the server fill, and your Write blocks too. Each side waits for the other.
Write from a second goroutine while this one reads. (README.md, Step 6)`,
				last, stall)
		}
	}
}

// countingWriter adds the length of every Write to n.
type countingWriter struct{ n *atomic.Int64 }

func (c countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

func TestStep6_WritingEverythingBeforeReadingDeadlocks(t *testing.T) {
	// First the fix: Echo must be written.
	peer := startPeer(t, func(conn *net.TCPConn) {
		smallBuffers(conn)
		io.Copy(conn, conn)
	})
	_, err := echo(t, dialAddr(t, peer.Addr().String()), []byte("ready?\n"), wait)
	require.NoErrorf(t, err, "Echo of one short line failed: %v; see TestStep6_EchoesALine. (README.md, Step 6)", err)

	// Then the problem, on purpose: this client writes 4 MiB before it
	// reads a byte, as lesson 1's client did.
	conn := dialAddr(t, peer.Addr().String())
	smallBuffers(conn)
	message := numberedLines(4<<10, 1<<10)
	conn.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
	n, err := conn.Write(message)
	require.Truef(t, os.IsTimeout(err),
		"a client wrote %d bytes without reading, to an echo server, and its Write returned %d, %v: expected it to stall (the socket buffers are 64 KiB here). (README.md, Step 6)", len(message), n, err)
	t.Logf("Write stalled after %d of %d bytes: the server's echo filled the buffers towards the client, which was not reading; the server blocked in Write and stopped reading; then the buffers towards the server filled too. About %d KiB of buffer space in all, on this machine with 64 KiB socket buffers.",
		n, len(message), n>>10)
}
