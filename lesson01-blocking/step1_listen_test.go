package blocking

import (
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// Step 1: Listen opens a listening socket and reports its address.

func TestStep1_ListensOnLoopbackAndReportsTheAddress(t *testing.T) {
	log := new(logBuffer)
	ln, err := Listen("tcp", "127.0.0.1:0", log)
	requireDone(t, 1, "Listen", err)
	require.NoError(t, err, `Listen("tcp", "127.0.0.1:0", log) failed. (README.md, Step 1)`)
	require.NotNil(t, ln, "Listen returned neither a listener nor an error. (README.md, Step 1)")
	t.Cleanup(func() { ln.Close() })

	addr, ok := ln.Addr().(*net.TCPAddr)
	require.Truef(t, ok, "the listener's address is a %T; asked for \"tcp\", want a *net.TCPAddr", ln.Addr())
	require.Truef(t, addr.IP.IsLoopback(), "listening on %s; asked for 127.0.0.1, the loopback address", addr)
	require.NotZerof(t, addr.Port, "the listener reports port 0; the kernel picks a real port when the socket is bound")

	want := fmt.Sprintf("listening on %s\n", ln.Addr())
	if log.String()+"\n" == want {
		t.Fatalf("logged %q; want %q: a log line ends in \"\\n\", or the next line runs on after it. (README.md, Step 1)", log.String(), want)
	}
	require.Equal(t, want, log.String(),
		"Listen must log one line with the address the kernel bound: use ln.Addr(), which knows the port that :0 became. (README.md, Step 1)")
}

func TestStep1_TheBacklogCompletesConnectionsBeforeAccept(t *testing.T) {
	ln, err := Listen("tcp", "127.0.0.1:0", io.Discard)
	requireDone(t, 1, "Listen", err)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })

	// Nobody calls Accept here: the kernel completes the TCP handshake and
	// queues each connection in the listen backlog.
	for i := 1; i <= 3; i++ {
		conn, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
		require.NoErrorf(t, err, "dial %d of 3 to %s failed although the socket listens: did Listen return a listener that is already closed?", i, ln.Addr())
		conn.Close()
	}
}

func TestStep1_ReportsAnAddressAlreadyInUse(t *testing.T) {
	taken := listenTCP(t)
	ln, err := Listen("tcp", taken.Addr().String(), io.Discard)
	requireDone(t, 1, "Listen", err)
	if ln != nil {
		ln.Close()
	}
	require.Errorf(t, err, "Listen on %s, where another socket already listens, must return an error (\"address already in use\"). (README.md, Step 1)", taken.Addr())
	require.Nil(t, ln, "Listen returned an error and a listener: return nil with an error")
}

func TestStep1_ListensOnAUnixSocket(t *testing.T) {
	path := socketPath(t)
	log := new(logBuffer)
	ln, err := Listen("unix", path, log)
	requireDone(t, 1, "Listen", err)
	if err != nil && !unixSocketsWork() {
		t.Skipf("Unix domain sockets are not available here: %v", err)
	}
	require.NoErrorf(t, err, `Listen("unix", %q, log) failed: pass the network through to net.Listen. (README.md, Step 1)`, path)
	t.Cleanup(func() { ln.Close() })
	require.Equal(t, "listening on "+path+"\n", log.String(), "Listen must log the socket's address; for \"unix\" it is the file path")

	conn, err := net.DialTimeout("unix", path, wait)
	require.NoErrorf(t, err, "dial unix %s", path)
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
