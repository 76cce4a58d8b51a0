package blocking

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 2: Handle echoes one client until it half-closes.

// startHandle connects a client to Handle, which runs on the server side.
func startHandle(t *testing.T) (client net.Conn, handle *running, log *logBuffer) {
	ln := listenTCP(t)
	client = dial(t, ln)
	server := accept(t, ln)
	log = new(logBuffer)
	handle = start(2, "Handle", func() error { return Handle(server, log) })
	return client, handle, log
}

func TestStep2_EchoesWhatArrives(t *testing.T) {
	client, handle, _ := startHandle(t)
	handle.write(t, client, "Hola, mundo!")
	// The client has not half-closed: the echo must come while it still could send more.
	handle.expectEcho(t, client, "Hola, mundo!",
		"Is Handle still blocked in Read waiting for more bytes? Write back each chunk as soon as Read returns it.")
}

func TestStep2_KeepsEchoingUntilTheClientHalfCloses(t *testing.T) {
	client, handle, _ := startHandle(t)
	for i, msg := range []string{"one", "two", "three"} {
		if _, err := io.WriteString(client, msg); err == nil {
			if got, err := handle.readN(t, client, len(msg)); err == nil && string(got) == msg {
				continue
			}
		}
		if i > 0 && handle.finished(wait) {
			t.Fatalf("Handle echoed %d message(s), then returned %v before the client had half-closed; the client's %q got no echo.\nRead in a loop: call Read again after each echo, and stop only when Read returns io.EOF. (README.md, Step 2)",
				i, handle.err, msg)
		}
		handle.expectEcho(t, client, msg, "Write back each chunk as soon as Read returns it.")
	}
}

func TestStep2_EchoIsByteExact(t *testing.T) {
	client, handle, _ := startHandle(t)
	// Every byte value, then random bytes: an echo is not text, and a
	// buffer reused without slicing to n shows up here.
	sent := make([]byte, 0, 256+200_000)
	for b := range 256 {
		sent = append(sent, byte(b))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		sent = append(sent, byte(rng.IntN(256)))
	}
	// Write from another goroutine while this one reads: a client that
	// wrote 200 kB before reading could fill both socket buffers and stall.
	go func() {
		// A busy machine may take a while; the test's end closes client anyway.
		client.SetWriteDeadline(time.Now().Add(10 * wait))
		client.Write(sent)
		client.(*net.TCPConn).CloseWrite()
	}()
	got, err := handle.readAllSteadily(t, client)
	switch {
	case bytes.Equal(got, sent) && err != nil:
		t.Fatalf("every one of the %d bytes came back, but then the read ended with %v instead of EOF (%s).\nDid Handle close the connection when it returned (defer conn.Close())? (README.md, Step 2)",
			len(sent), err, handle.returned())
	case len(got) < len(sent) && bytes.HasPrefix(sent, got) && !os.IsTimeout(err) && handle.finished(wait):
		t.Fatalf("sent %d bytes; the echo stopped after %d, all of them right, and %s (the read ended with %v).\nOne Read returns what has arrived so far, at most len(buf) bytes: Read in a loop, and stop only when Read returns io.EOF. (README.md, Step 2)",
			len(sent), len(got), handle.returned(), err)
	case err != nil || !bytes.Equal(got, sent):
		t.Fatalf("echo of %d bytes: %s; read ended with %v (%s).\nWrite back buf[:n], the n bytes this Read returned, not the whole buffer. (README.md, Step 2)",
			len(sent), firstDifference(sent, got), err, handle.returned())
	}
}

func TestStep2_LogsWhatArrives(t *testing.T) {
	client, handle, log := startHandle(t)
	handle.write(t, client, "ping")
	handle.expectEcho(t, client, "ping", "Write back each chunk as soon as Read returns it.")
	require.Equalf(t, "ping", log.received(),
		`Handle must log each chunk it reads as a line: fmt.Fprintf(log, "received: %%q\n", buf[:n]). The log was:\n%s (README.md, Step 2)`, log)
}

// lastWordsConn is a connection whose first Read returns its last bytes and
// io.EOF together, as any io.Reader may: a file's last block, a TLS record.
type lastWordsConn struct {
	net.Conn
	last []byte
}

func (c *lastWordsConn) Read(p []byte) (int, error) {
	n := copy(p, c.last)
	c.last = c.last[n:]
	return n, io.EOF
}

func TestStep2_EchoesTheBytesThatComeWithEOF(t *testing.T) {
	ln := listenTCP(t)
	client := dial(t, ln)
	server := &lastWordsConn{Conn: accept(t, ln), last: []byte("last words")}
	handle := start(2, "Handle", func() error { return Handle(server, io.Discard) })

	got, err := handle.readAll(t, client)
	if string(got) != "last words" {
		t.Fatalf("Read returned %q together with io.EOF, and the client got back %s, then %v (%s).\nHandle the data before looking at err: a Read can return both. Echo buf[:n] when n > 0, then stop at io.EOF. (README.md, Step 2)",
			"last words", quote(got), err, handle.returned())
	}
}

func TestStep2_ReturnsNilAndClosesAfterTheClientHalfCloses(t *testing.T) {
	client, handle, _ := startHandle(t)
	handle.write(t, client, "bye")
	handle.expectEcho(t, client, "bye", "Write back each chunk as soon as Read returns it.")
	closeWrite(t, client)

	require.Truef(t, handle.finished(wait),
		"the client half-closed and Handle had not returned %s later. Read returns io.EOF once the client has half-closed: stop the loop there. (README.md, Step 2)", wait)
	require.NoErrorf(t, handle.err,
		"Handle returned %v after the client half-closed. io.EOF is the normal end of the stream, not a failure: return nil. (README.md, Step 2)", handle.err)

	extra := make([]byte, 64)
	n, err := client.Read(extra)
	if n > 0 {
		t.Fatalf("after the echo of %q the client received %s more: write back buf[:n], the n bytes Read returned, not the whole buffer. (README.md, Step 2)",
			"bye", quote(extra[:n]))
	}
	require.Equalf(t, io.EOF, err,
		"after Handle returned, the client's read ended with %v; want io.EOF. Did Handle close the connection (defer conn.Close())? (README.md, Step 2)", err)
}

func TestStep2_ReturnsWhenTheClientLeavesAtOnce(t *testing.T) {
	client, handle, _ := startHandle(t)
	client.Close() // Connects, sends nothing, leaves.

	require.Truef(t, handle.finished(wait),
		"a client connected and closed at once, and Handle had not returned %s later: is it waiting for data that can never come? (README.md, Step 2)", wait)
	requireDone(t, 2, "Handle", handle.err)
	require.NoErrorf(t, handle.err, "a client that sends nothing and closes is an ordinary end of stream (io.EOF), and Handle returned %v: return nil. (README.md, Step 2)", handle.err)
}

func TestStep2_ReturnsWhenTheClientResets(t *testing.T) {
	client, handle, _ := startHandle(t)
	handle.write(t, client, "half a thought")
	handle.expectEcho(t, client, "half a thought", "Write back each chunk as soon as Read returns it.")
	// SetLinger(0) makes Close send a reset (RST) instead of an orderly FIN.
	client.(*net.TCPConn).SetLinger(0)
	client.Close()

	require.Truef(t, handle.finished(wait),
		"the client reset its connection and Handle had not returned %s later: return the error that Read or Write gives. (README.md, Step 2)", wait)
	// Whatever Handle returned (an error, or nil if the reset looked like an
	// EOF) is fine: it did not hang, and Serve will log it and go on.
}
