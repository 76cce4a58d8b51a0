package blocking

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 1: Listen opens a listening socket and reports its address.

// listen calls Listen in the background and waits for it at most wait: a
// Listen that blocks (in Accept, say) or panics fails the test, naming the
// step, instead of hanging or ending the whole run.
func listen(t *testing.T, network, address string, log io.Writer) (net.Listener, error) {
	t.Helper()
	type result struct {
		ln    net.Listener
		err   error
		panic any
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{panic: p}
			}
		}()
		ln, err := Listen(network, address, log)
		ch <- result{ln: ln, err: err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.panic != nil {
			t.Fatalf("Listen(%q, %q, log) panicked: %v.\nDid it go on with the listener after net.Listen returned an error? Return that error at once: return nil, err. (README.md, Step 1)",
				network, address, r.panic)
		}
		requireDone(t, 1, "Listen", r.err)
		if r.ln != nil {
			t.Cleanup(func() { r.ln.Close() })
		}
		return r.ln, r.err
	case <-timer.C:
		t.Fatalf("Listen(%q, %q, log) had not returned after %s. Listen only opens the socket and logs its address; it must not Accept or wait for anything. (README.md, Step 1)",
			network, address, wait)
		return nil, nil
	}
}

func TestStep1_ListensOnLoopbackAndReportsTheAddress(t *testing.T) {
	log := new(logBuffer)
	ln, err := listen(t, "tcp", "127.0.0.1:0", log)
	require.NoErrorf(t, err, `Listen("tcp", "127.0.0.1:0", log) failed: %v. (README.md, Step 1)`, err)
	require.NotNil(t, ln, "Listen returned neither a listener nor an error: return the listener net.Listen gave you. (README.md, Step 1)")

	addr, ok := ln.Addr().(*net.TCPAddr)
	require.Truef(t, ok, "the listener's address is a %T; asked for \"tcp\", want a *net.TCPAddr: pass the network through to net.Listen. (README.md, Step 1)", ln.Addr())
	require.Truef(t, addr.IP.IsLoopback(), "listening on %s; asked for 127.0.0.1, the loopback address: pass the address through to net.Listen. (README.md, Step 1)", addr)

	want := fmt.Sprintf("listening on %s\n", ln.Addr())
	got := log.String()
	switch {
	case got == "":
		t.Fatalf("Listen logged nothing; want %q. Write the line to the log writer Listen was given, fmt.Fprintf(log, ...), not to standard output. (README.md, Step 1)", want)
	case strings.Contains(got, ":0\n") || strings.HasSuffix(got, ":0"):
		t.Fatalf("logged %q: the log line shows port 0; want %q. You printed the address you were given: with port 0 the kernel picks the port at bind time, and only ln.Addr() knows it. (README.md, Step 1)", got, want)
	case got+"\n" == want:
		t.Fatalf("logged %q; want %q: a log line ends in \"\\n\", or the next line runs on after it. (README.md, Step 1)", got, want)
	case got != want:
		t.Fatalf("logged %q; want %q: one line with the address the kernel bound, from ln.Addr(). (README.md, Step 1)", got, want)
	}
}

func TestStep1_TheBacklogCompletesConnectionsBeforeAccept(t *testing.T) {
	ln, err := listen(t, "tcp", "127.0.0.1:0", io.Discard)
	require.NoErrorf(t, err, `Listen("tcp", "127.0.0.1:0", log) failed: %v. (README.md, Step 1)`, err)

	// Nobody calls Accept here: the kernel completes the TCP handshake and
	// queues each connection in the listen backlog.
	for i := 1; i <= 3; i++ {
		conn, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
		require.NoErrorf(t, err, "dial %d of 3 to %s failed although Listen returned a listener: did Listen close it before returning (a defer ln.Close() in Listen)? The caller closes it when done. (README.md, Step 1)", i, ln.Addr())
		conn.Close()
	}
}

func TestStep1_ReportsAnAddressAlreadyInUse(t *testing.T) {
	taken := listenTCP(t)
	ln, err := listen(t, "tcp", taken.Addr().String(), io.Discard)
	require.Errorf(t, err, "Listen on %s, where another socket already listens, must return net.Listen's error (\"address already in use\"). (README.md, Step 1)", taken.Addr())
	require.Nil(t, ln, "Listen returned an error and a listener: on error, return nil and the error. (README.md, Step 1)")
}

func TestStep1_ListensOnAUnixSocket(t *testing.T) {
	path := socketPath(t)
	log := new(logBuffer)
	ln, err := listen(t, "unix", path, log)
	if err != nil && !unixSocketsWork() {
		t.Skipf("Unix domain sockets are not available here: %v", err)
	}
	require.NoErrorf(t, err, `Listen("unix", %q, log) failed: %v. Pass the network through to net.Listen. (README.md, Step 1)`, path, err)
	require.Equalf(t, "unix", ln.Addr().Network(), `Listen("unix", %q, log) listens on a %q socket: pass the network through to net.Listen. (README.md, Step 1)`, path, ln.Addr().Network())
	require.Truef(t, "listening on "+path+"\n" == log.String(), "Listen must log the socket's address; for \"unix\" it is the file path. (README.md, Step 1)")

	conn, err := net.DialTimeout("unix", path, wait)
	require.NoErrorf(t, err, "dial unix %s: %v. Listen returned, but nothing listens there. (README.md, Step 1)", path, err)
	conn.Close()
}

// unixSocketsWork reports whether this system supports Unix domain sockets at all.
func unixSocketsWork() bool {
	ln, err := net.Listen("unix", "")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
