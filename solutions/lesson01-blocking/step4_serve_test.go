package blocking

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 4: Serve accepts clients one after another.

// startServe runs Serve on a fresh loopback listener; the listener is closed
// when the test ends, which is what stops Serve.
func startServe(t *testing.T, ln net.Listener) (serve *running, log *logBuffer) {
	log = new(logBuffer)
	serve = start(4, "Serve", func() error { return Serve(ln, log) })
	t.Cleanup(func() {
		ln.Close()
		// Give Serve a moment to return, so it does not outlive its test;
		// TestStep4_ReturnsNilWhenTheListenerIsClosed reports one that never does.
		serve.finished(wait / 4)
	})
	return serve, log
}

// exchange is one whole conversation as lesson 1's client has it: connect,
// send, half-close, read the echo until the server closes.
func exchange(t *testing.T, serve *running, ln net.Listener, msg string) {
	t.Helper()
	conn := dial(t, ln)
	serve.write(t, conn, msg)
	closeWrite(t, conn)
	got, err := serve.readAll(t, conn)
	if err != nil || string(got) != msg {
		hint := "Serve must accept each client and call Handle on it."
		switch {
		case serve.finished(0) && serve.err != nil:
			hint = "Serve returned after an earlier client's trouble: log the error Handle returns, and accept the next client."
		case serve.finished(0):
			hint = "Serve returned after the earlier clients: loop back to Accept after each one, until the listener is closed."
		}
		t.Fatalf("client sent %q and half-closed; read back %s, then %v (%s).\n%s (README.md, Step 4)",
			msg, quote(got), err, serve.returned(), hint)
	}
}

func TestStep4_ServesClientsOneAfterAnother(t *testing.T) {
	ln := listenTCP(t)
	serve, _ := startServe(t, ln)
	for i := 1; i <= 3; i++ {
		exchange(t, serve, ln, fmt.Sprintf("client %d says hello", i))
	}
}

func TestStep4_LogsEachConnection(t *testing.T) {
	ln := listenTCP(t)
	serve, log := startServe(t, ln)
	conn := dial(t, ln)
	serve.write(t, conn, "hi")
	serve.expectEcho(t, conn, "hi", "Serve must accept the client and call Handle on it.")

	want := "connection from " + conn.LocalAddr().String()
	require.Containsf(t, log.String(), want,
		`Serve must log each client as it accepts it, with the client's address: fmt.Fprintf(log, "connection from %%s\n", conn.RemoteAddr()). The log was:\n%s (README.md, Step 4)`, log)
}

func TestStep4_KeepsServingAfterClientsThatLeaveEarly(t *testing.T) {
	ln := listenTCP(t)
	serve, _ := startServe(t, ln)

	// One client connects and leaves at once; another resets mid-conversation.
	dial(t, ln).Close()
	rude := dial(t, ln)
	serve.write(t, rude, "I will not wait for the ans")
	rude.(*net.TCPConn).SetLinger(0) // Close now sends a reset (RST).
	rude.Close()

	exchange(t, serve, ln, "still there?")
	require.Falsef(t, serve.finished(0), "Serve returned %v after a client left early: log a client's error and accept the next one. (README.md, Step 4)", serve.err)
}

func TestStep4_SecondClientWaitsForTheFirst(t *testing.T) {
	ln := listenTCP(t)
	serve, _ := startServe(t, ln)

	first := dial(t, ln)
	serve.write(t, first, "first")
	serve.expectEcho(t, first, "first", "Serve must accept the client and call Handle on it.")

	// The dial succeeds at once: the kernel queues the connection in the
	// backlog. But Serve is busy in Handle with the first client.
	second := dial(t, ln)
	serve.write(t, second, "second")
	second.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	early, err := second.Read(make([]byte, 16))
	if !os.IsTimeout(err) {
		t.Fatalf("the second client got %d bytes (%v) while the first was still connected. Lesson 1's server serves one client at a time: call Handle, not go Handle. (README.md, Step 4)", early, err)
	}

	// The first client leaves; now the second is served.
	closeWrite(t, first)
	if rest, err := serve.readAll(t, first); err != nil || len(rest) != 0 {
		t.Fatalf("after half-closing, the first client read %s, %v; want nothing more and EOF. (README.md, Step 4)", quote(rest), err)
	}
	second.SetReadDeadline(time.Now().Add(wait))
	serve.expectEcho(t, second, "second",
		"The first client has left: Serve must go back to Accept and take the second from the backlog.")
}

func TestStep4_ReturnsNilWhenTheListenerIsClosed(t *testing.T) {
	ln := listenTCP(t)
	serve, _ := startServe(t, ln)
	exchange(t, serve, ln, "one")
	ln.Close()

	require.Truef(t, serve.finished(wait),
		"the listener was closed and Serve had not returned %s later: when Accept fails with net.ErrClosed, return nil; do not go on accepting. (README.md, Step 4)", wait)
	require.NoError(t, serve.err,
		"closing the listener is how a server is stopped: when Accept's error is net.ErrClosed (errors.Is), return nil. (README.md, Step 4)")
}

func TestStep4_ServesOverAUnixSocket(t *testing.T) {
	ln := listenUnix(t)
	serve, log := startServe(t, ln)
	exchange(t, serve, ln, "same code, another family")
	require.Truef(t, strings.Contains(log.String(), "connection from"),
		"Serve must log each client it accepts; the log was:\n%s (README.md, Step 4)", log)
}
