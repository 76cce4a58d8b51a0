package partialio

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 4: Handle is the line-echo server for one client.
//
// These tests run side by side (t.Parallel): each has its own listener, and a
// Handle that never answers then costs the wait once, not once per test.

// stillBlocked is the hint for an echo that does not come.
const stillBlocked = "Is Handle still blocked, waiting for more than a line? Write back each line as soon as ReadLine returns it, without waiting for the end of the stream."

// startHandle connects a client to Handle, which runs on the server side
// with the given line limit.
func startHandle(t *testing.T, maxLine int) (client *net.TCPConn, handle *running, log *logBuffer) {
	t.Helper()
	requireHandle(t)
	client, server := connPair(t)
	log = new(logBuffer)
	handle = start(4, "Handle", func() error { return Handle(server, maxLine, log) })
	return client, handle, log
}

func TestStep4_EchoesALineAsSoonAsItIsComplete(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	handle.write(t, client, "Hola, mundo!\n")
	// The client has not half-closed: the echo must come while it still could send more.
	handle.expectEcho(t, client, "Hola, mundo!\n", "Hola, mundo!\n",
		stillBlocked)
}

func TestStep4_WaitsForTheRestOfTheLine(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	handle.write(t, client, "Hola, ")
	// Nothing may come back yet: half a line is not a line. A short wait
	// is enough to catch an echo of the piece, which would come at once.
	client.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	early := make([]byte, 64)
	n, err := client.Read(early)
	if !os.IsTimeout(err) {
		requireDone(t, 4, "Handle", handle.err)
		t.Fatalf("sent %q (no newline yet) and got %q back, then %v (%s). You are echoing what Read returns, as in lesson 1, not lines: read with the LineReader (step 2), which waits for the \"\\n\". (README.md, Step 4)",
			"Hola, ", early[:n], err, handle.returned())
	}
	client.SetReadDeadline(time.Now().Add(wait))
	handle.write(t, client, "mundo!\n")
	handle.expectEcho(t, client, `"Hola, " then "mundo!\n"`, "Hola, mundo!\n",
		"The line is complete now: write it back. "+stillBlocked)
}

func TestStep4_EchoesManyLinesFromOneWrite(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	sent := numberedLines(2000, 40)                  // 80 kB in one Write: many lines per Read on the server
	client.SetWriteDeadline(time.Now().Add(bigWait)) // A busy machine may take a while; the test's end closes client anyway.
	go client.Write(sent)
	got, err := handle.readSteadily(t, client, len(sent))
	if err != nil || !bytes.Equal(got, sent) {
		t.Fatalf("2000 lines sent in one Write: %s; read ended with %v (%s).\nOne Read can hold many lines: ReadLine returns them one by one from its buffer, and Handle must echo each. (README.md, Step 4)",
			firstDifference(sent, got), err, handle.returned())
	}
}

func TestStep4_EchoesLinesThatArriveOneByteAtATime(t *testing.T) {
	t.Parallel()
	ln := listenTCP(t)
	client := dialAddr(t, startSplitter(t, ln.Addr().String()))
	server := &countingConn{TCPConn: accept(t, ln)}
	handle := start(4, "Handle", func() error { return Handle(server, 1024, io.Discard) })

	sent := "one byte\nat a time\nstill makes\nwhole lines\n"
	handle.write(t, client, sent)
	handle.expectEcho(t, client, sent, sent,
		"Each Read on the server returned a byte or a few: the LineReader must keep them until a \"\\n\" completes the line.")
	t.Logf("the server made %d Reads for %d bytes", server.count(), len(sent))
}

func TestStep4_EchoesTheUnterminatedRemainderAfterHalfClose(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	handle.write(t, client, "a line\nand no newline after this")
	handle.expectEcho(t, client, "a line\n...", "a line\n", stillBlocked)
	closeWrite(t, client)

	rest, err := handle.readAll(t, client)
	require.NoErrorf(t, err, "after the half-close the server should send the remainder and close; the client read %s, then %v (%s). (README.md, Step 4)", quote(rest), err, handle.returned())
	require.Truef(t, string(rest) == "and no newline after this",
		"the client half-closed after %q, a last line without \"\\n\", and got back %s. ReadLine returns it with io.EOF: you returned at io.EOF before writing the line that came with it; write it back first, or it is lost. (README.md, Step 4)", "and no newline after this", quote(rest))
	require.Truef(t, handle.finished(wait), "the client half-closed and Handle had not returned %s later: return nil at io.EOF. (README.md, Step 4)", wait)
	require.NoErrorf(t, handle.err, "Handle returned %v after the half-close: io.EOF is the normal end of a client; return nil. (README.md, Step 4)", handle.err)
}

func TestStep4_ReturnsNilAndClosesAfterHalfClose(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	handle.write(t, client, "bye\n")
	closeWrite(t, client)
	got, err := handle.readAll(t, client)
	require.NoErrorf(t, err, "the client sent %q and half-closed; reading to the end gave %q, then %v (%s). Echo, then close the connection (defer conn.Close()). (README.md, Step 4)", "bye\n", got, err, handle.returned())
	require.Truef(t, string(got) == "bye\n", "the client sent %q and half-closed, and read back %s. (README.md, Step 4)", "bye\n", quote(got))
	require.Truef(t, handle.finished(wait), "Handle had not returned %s after the half-close: return nil at io.EOF. (README.md, Step 4)", wait)
	require.NoErrorf(t, handle.err, "Handle returned %v after the half-close: io.EOF is the normal end of a client; return nil. (README.md, Step 4)", handle.err)
}

func TestStep4_EchoesALineOfExactlyTheLimit(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	sent := strings.Repeat("L", 1024) + "\n"
	go client.Write([]byte(sent))
	handle.expectEcho(t, client, "1024 bytes and a newline", sent,
		"The line limit is 1024 and this line holds exactly 1024 bytes before its \"\\n\": it must be echoed. "+stillBlocked)
}

func TestStep4_LogsEachLine(t *testing.T) {
	t.Parallel()
	client, handle, log := startHandle(t, 1024)
	handle.write(t, client, "ping\npong\n")
	handle.expectEcho(t, client, "ping\npong\n", "ping\npong\n", stillBlocked)
	require.Equalf(t, []string{"ping\n", "pong\n"}, log.received(),
		`Handle must log each line it echoes, with logReceived(log, line). The log was:\n%s (README.md, Step 4)`, log)
}

func TestStep4_Echoes16MiBWithoutDeadlock(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, DefaultMaxLine)
	client.SetDeadline(time.Now().Add(bigWait))
	sent := numberedLines(16<<10, 1<<10) // 16384 lines of 1 KiB
	// This test writes from one goroutine while it reads in another, as
	// step 6's client will: the server echoes as it reads, so a client
	// that wrote all 16 MiB first would fill the buffers and stall.
	go client.Write(sent)
	began := time.Now()
	got, err := handle.readSteadily(t, client, len(sent))
	if err != nil || !bytes.Equal(got, sent) {
		t.Fatalf("16 MiB of 1 KiB lines, written while reading: %s; the read ended after %s with %v (%s); it gives up when nothing arrives for %s.\nEcho each line as it completes; do not collect lines before writing them. (README.md, Step 4)",
			firstDifference(sent, got), time.Since(began).Round(time.Millisecond), err, handle.returned(), stall)
	}
	t.Logf("16 MiB echoed in %s", time.Since(began).Round(time.Millisecond))
}

// startServe runs Serve on a fresh loopback listener; the listener is closed
// when the test ends, which is what stops Serve.
func startServe(t *testing.T, step, maxLine int) (ln net.Listener, serve *running, log *logBuffer) {
	t.Helper()
	ln = listenTCP(t)
	log = new(logBuffer)
	serve = start(step, "Serve", func() error { return Serve(ln, maxLine, log) })
	t.Cleanup(func() {
		ln.Close()
		serve.finished(wait)
	})
	return ln, serve, log
}

// requireHandle stops the test plainly while Handle is not written yet: Serve
// logs Handle's errors and goes on, so a test through Serve would only see
// silence.
func requireHandle(t *testing.T) {
	t.Helper()
	client, server := connPair(t)
	client.Close()
	handle := start(4, "Handle", func() error { return Handle(server, 1024, io.Discard) })
	if !handle.finished(wait) {
		t.Fatalf("Handle, on a connection whose client had closed at once, had not returned %s later: return nil at io.EOF. (README.md, Step 4)", wait)
	}
	requireDone(t, 4, "Handle", handle.err)
}

func TestStep4_ServesClientsOneAfterAnother(t *testing.T) {
	t.Parallel()
	requireHandle(t)
	ln, serve, log := startServe(t, 4, 1024)
	for i := 1; i <= 3; i++ {
		conn := dialAddr(t, ln.Addr().String())
		line := fmt.Sprintf("client %d\n", i)
		serve.write(t, conn, line)
		closeWrite(t, conn)
		got, err := serve.readAll(t, conn)
		require.NoErrorf(t, err, "client %d sent %q and half-closed; the read ended with %v (%s). (README.md, Step 4)", i, line, err, serve.returned())
		require.Truef(t, line == string(got), "client %d sent %q and read back %s: Serve runs Handle for each client; Handle echoes the line and closes after the half-close. (README.md, Step 4)", i, line, quote(got))
	}
	require.Containsf(t, log.String(), "connection from", "Serve logs each client it accepts; the log was:\n%s (README.md, Step 4)", log)
}

func TestStep4_ReturnsWhenTheClientResets(t *testing.T) {
	t.Parallel()
	client, handle, _ := startHandle(t, 1024)
	handle.write(t, client, "half a thou")
	client.SetLinger(0) // Close now sends a reset (RST).
	client.Close()
	require.Truef(t, handle.finished(wait),
		"the client reset its connection in the middle of a line and Handle had not returned %s later: return the error ReadLine gives. (README.md, Step 4)", wait)
	requireDone(t, 4, "Handle", handle.err)
}
