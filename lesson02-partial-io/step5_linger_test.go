package partialio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 5: an over-long line gets one error line, and a lingering close
// makes sure the client reads it.

// requireLingeringClose stops the test plainly while LingeringClose, or
// Handle, which these tests go through, is not written yet.
func requireLingeringClose(t *testing.T) {
	t.Helper()
	client, server := connPair(t)
	client.Close() // The drain then ends at once, deadline or not.
	lc := start(5, "LingeringClose", func() error { return LingeringClose(server, 0) })
	if !lc.finished(wait) {
		t.Fatalf("LingeringClose(conn, 0), on a connection whose client had closed, had not returned %s later: half-close, drain until EOF or the read deadline, then Close. (README.md, Step 5)", wait)
	}
	requireDone(t, 5, "LingeringClose", lc.err)
	requireHandle(t)
}

// failOnReset stops the test when the client's read ended in a reset: the
// server closed with the client's bytes unread.
func failOnReset(t *testing.T, got []byte, err error) {
	t.Helper()
	if isReset(err) {
		t.Fatalf("the client read %s and then %v. Closing a socket with unread input sends a reset, and the reset can destroy what was written just before. Half-close first (CloseWrite), then read and discard until EOF or a deadline, then Close: that is LingeringClose, which Handle calls after writing the error line. (README.md, Step 5)", quote(got), err)
	}
}

// keepSending writes chunks of 'x' (no newline) on conn until a Write fails
// or limit bytes are sent: a client that goes on talking while the server
// wants to hang up. The returned function closes conn, which stops the
// writer, and waits for it; calling it again does nothing.
func keepSending(conn net.Conn, limit int) (stop func()) {
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sent := 0; sent < limit; sent += len(chunk) {
			select {
			case <-done:
				return
			default:
			}
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		close(done)
		conn.Close() // wakes a Write that is blocked
		wg.Wait()
	})
}

// isReset reports whether err says the peer reset the connection.
func isReset(err error) bool {
	var errno syscall.Errno
	// 10054 is WSAECONNRESET: Windows' own number for the same error.
	return errors.Is(err, syscall.ECONNRESET) || (errors.As(err, &errno) && errno == 10054)
}

func TestStep5_LingeringCloseLetsTheLastWordsArrive(t *testing.T) {
	client, server := connPair(t)
	stop := keepSending(client, 64<<20)
	defer stop()
	// The server has not read a byte of what the client keeps sending. It
	// writes its last words and hangs up.
	_, err := io.WriteString(server, "error: goodbye\n")
	require.NoErrorf(t, err, "test setup: the server's last words could not be written: %v", err)
	lc := start(5, "LingeringClose", func() error { return LingeringClose(server, 5*time.Second) })

	got, err := lc.readAll(t, client)
	// The client may read EOF a moment before a LingeringClose that does not
	// drain returns: give it that moment, far less than the 5s drain.
	if lc.finished(wait / 4) {
		t.Fatalf("%s while the client is still sending, long before its 5s drain was over: LingeringClose has returned while the client is still sending (the client read %s, then %v).\nHalf-close first (CloseWrite), then keep reading and discarding (io.Copy(io.Discard, conn)) until EOF or the read deadline, then Close: closing with unread input sends a reset. (README.md, Step 5)",
			lc.returned(), quote(got), err)
	}
	failOnReset(t, got, err)
	require.NoErrorf(t, err, "the client read %s, then %v; want the server's last words and then EOF (%s). (README.md, Step 5)", quote(got), err, lc.returned())
	require.Truef(t, string(got) == "error: goodbye\n", "the client read %s; it must read the server's last line, then EOF. (README.md, Step 5)", quote(got))

	stop() // The client hangs up: the drain reads EOF (or a reset) and ends.
	require.Truef(t, lc.finished(wait),
		"the client closed and LingeringClose had not returned %s later: the drain must end at EOF or at an error, not only at the deadline. (README.md, Step 5)", wait)
}

func TestStep5_LingeringCloseGivesUpAfterTheDrainTime(t *testing.T) {
	client, server := connPair(t)
	// The client stays connected and silent: it never closes.
	lc := start(5, "LingeringClose", func() error { return LingeringClose(server, 100*time.Millisecond) })
	got, err := lc.readAll(t, client)
	require.NoErrorf(t, err, "after LingeringClose the client should read EOF: the half-close (CloseWrite) sends it at once; got %s, %v (%s). (README.md, Step 5)", quote(got), err, lc.returned())
	require.Truef(t, lc.finished(wait),
		"the client neither sends nor closes, and LingeringClose(conn, 100ms) had not returned %s later: you forgot SetReadDeadline. Set a read deadline of now+drain before you drain (conn.SetReadDeadline). (README.md, Step 5)", wait)
	requireDone(t, 5, "LingeringClose", lc.err)
	_, err = server.Write([]byte("x"))
	require.Errorf(t, err, "LingeringClose returned but the connection is still open: Close it at the end. (README.md, Step 5)")
}

func TestStep5_AnOverlongLineGetsOneErrorLineAndTheConnectionCloses(t *testing.T) {
	requireLingeringClose(t)
	client, handle, _ := startHandle(t, 1024)
	handle.step, handle.name = 5, "Handle"
	handle.write(t, client, "this one fits\n")
	// Then a line that never ends: the client keeps sending while the server
	// wants to refuse it.
	stop := keepSending(client, 64<<20)
	defer stop()

	want := "this one fits\nerror: line exceeds 1024 bytes\n"
	got, err := handle.readAll(t, client)
	failOnReset(t, got, err)
	require.NoErrorf(t, err, "the client read %s, then %v (%s). (README.md, Step 5)", quote(got), err, handle.returned())
	require.Truef(t, want == string(got),
		"the client read %s. A line over the 1024-byte limit must get exactly one line back, %q, and then the end of the stream; the lines before it are echoed as usual, and no piece of the long line. Handle writes the error line, then calls LingeringClose. (README.md, Step 5)",
		quote(got), "error: line exceeds 1024 bytes\n")

	stop()
	require.Truef(t, handle.finished(wait), "the client closed after the error and Handle had not returned %s later (%s). (README.md, Step 5)", wait, handle.returned())
	require.Truef(t, errors.Is(handle.err, ErrLineTooLong),
		"after refusing an over-long line Handle returned %v; want an error wrapping ErrLineTooLong, so that Serve logs why the client was cut off. (README.md, Step 5)", handle.err)
}

func TestStep5_TheDefaultLimitIs65536Bytes(t *testing.T) {
	requireLingeringClose(t)
	ln, serve, _ := startServe(t, 5, DefaultMaxLine)
	conn := dialAddr(t, ln.Addr().String())
	fits := strings.Repeat("f", 65536) + "\n"
	tooLong := strings.Repeat("t", 65537) + "\n"
	go func() {
		conn.Write([]byte(fits + tooLong))
		conn.CloseWrite()
	}()
	got, err := serve.readAll(t, conn)
	failOnReset(t, got, err)
	require.NoErrorf(t, err, "reading the answer to a 65536-byte line and a 65537-byte line ended with %v (%s). (README.md, Step 5)", err, serve.returned())
	want := fits + "error: line exceeds 65536 bytes\n"
	require.Truef(t, string(got) == want,
		"sent a line of 65536 bytes, then one of 65537: %s. The first is at the limit and is echoed; the second gets %q. (README.md, Step 5)",
		firstDifference([]byte(want), got), "error: line exceeds 65536 bytes\n")
}

func TestStep5_OtherClientsAreUnaffected(t *testing.T) {
	requireLingeringClose(t)
	ln, serve, log := startServe(t, 5, 1024)

	rude := dialAddr(t, ln.Addr().String())
	stop := keepSending(rude, 64<<20) // an endless line
	defer stop()
	// The next client dials meanwhile and waits in the backlog.
	polite := dialAddr(t, ln.Addr().String())
	serve.write(t, polite, "am I next?\n")

	got, err := serve.readAll(t, rude)
	failOnReset(t, got, err)
	require.NoErrorf(t, err, "the client with the endless line read %s, then %v (%s). (README.md, Step 5)", quote(got), err, serve.returned())
	require.Truef(t, string(got) == "error: line exceeds 1024 bytes\n", "the client with the endless line read %s; want the error line, then the end of the stream. (README.md, Step 5)", quote(got))
	stop()

	serve.expectEcho(t, polite, "am I next?\n", "am I next?\n",
		"A client that sent an over-long line was cut off; Serve must go on with the next client.")
	require.Containsf(t, log.String(), fmt.Sprint(ErrLineTooLong),
		"Serve logs the error Handle returns for the cut-off client; want it to mention %q: return an error wrapping ErrLineTooLong. The log was:\n%s (README.md, Step 5)", ErrLineTooLong, log)
}
