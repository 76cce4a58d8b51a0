//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 5: the multi-connection client and its non-blocking connect.

// runClient calls RunClient on a fresh selector and waits for it a little
// longer than its own timeout, so a client that ignores it fails the test
// instead of hanging it.
func runClient(t *testing.T, newSelector func() Selector, addr string, conns int, messages []string, timeout time.Duration) []ClientResult {
	t.Helper()
	sel := newSelector()
	defer sel.Close()
	var results []ClientResult
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		results, err = RunClient(sel, addr, conns, messages, timeout)
	}()
	select {
	case <-done:
	case <-time.After(timeout + wait):
		t.Fatalf("RunClient had not returned %s after its %s timeout: is a connect or a read blocking? (README.md, Step 5)", wait, timeout)
	}
	require.NoError(t, err, "RunClient failed as a whole")
	require.Len(t, results, conns, "RunClient returns one result per connection")
	for _, r := range results {
		requireDone(t, 5, "startConnect or connectResult", r.Err)
	}
	return results
}

// echo answers each line with itself.
func echo(line []byte) []byte { return line }

func TestStep5_SendsEveryMessageAndGetsTheEcho(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		addr := startPeer(t, echo)
		results := runClient(t, newSelector, addr, 1, []string{"Hello, world", "second line"}, wait)
		require.NoErrorf(t, results[0].Err, "the client talked to an echo server and failed: did startConnect return EINPROGRESS as an error (it is the expected answer), or connectResult an error for SO_ERROR 0? (README.md, Step 5)")
		require.Equal(t, "Hello, world\nsecond line\n", string(results[0].Echo))
	})
}

func TestStep5_RunsManyConnectionsOnOneGoroutine(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		addr := startPeer(t, echo)
		results := runClient(t, newSelector, addr, 200, []string{"one", "two", "three"}, 2*wait)
		for i, r := range results {
			require.NoErrorf(t, r.Err, "connection %d of 200 failed. (README.md, Step 5)", i+1)
		}
	})
}

func TestStep5_ReportsConnectionRefused(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		// Take a free port and close it again: nobody listens there now.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()

		results := runClient(t, newSelector, addr, 3, []string{"anyone there?"}, wait)
		for i, r := range results {
			require.Truef(t, isConnRefused(r.Err),
				"connection %d to %s, where nothing listens, ended with %v; want an error wrapping ECONNREFUSED. The socket becomes writable when the handshake fails too: read SO_ERROR (connectResult) before writing. (README.md, Step 5)", i+1, addr, r.Err)
		}
	})
}

// writableWithin waits until fd is writable, as RunClient's selector would:
// the handshake that startConnect began has ended, well or badly.
func writableWithin(t *testing.T, fd int) {
	t.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	deadline := time.Now().Add(wait)
	for {
		n, err := unix.Poll(pfd, 100)
		if n > 0 {
			return
		}
		if err != nil && err != unix.EINTR {
			t.Fatalf("test setup: poll: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the socket from startConnect did not become writable within %s: did it call unix.Connect? (README.md, Step 5)", wait)
		}
	}
}

func TestStep5_ConnectResultReadsSO_ERROR(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, _ func() Selector) {
		peer := listenTCP(t)
		fd, err := startConnect(peer.Addr().(*net.TCPAddr).AddrPort())
		requireDone(t, 5, "startConnect", err)
		require.NoErrorf(t, err, "startConnect to a listening socket failed: EINPROGRESS is the expected answer of a non-blocking connect, not an error. (README.md, Step 5)")
		defer unix.Close(fd)
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		require.NoError(t, err)
		require.NotZerof(t, flags&unix.O_NONBLOCK, "the socket startConnect returned is blocking: its connect waits for the handshake, and one slow server would stall every connection of the client. Create it with newSocket, which sets SOCK_NONBLOCK. (README.md, Step 5)")
		writableWithin(t, fd)
		err = connectResult(fd)
		requireDone(t, 5, "connectResult", err)
		require.NoErrorf(t, err, "the connect to a listening socket succeeded, so SO_ERROR is 0: connectResult must return nil then, not an error. (README.md, Step 5)")

		// Take a free port and close it again: nobody listens there now.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		refused := ln.Addr().(*net.TCPAddr).AddrPort()
		ln.Close()
		fd, err = startConnect(refused)
		if isConnRefused(err) {
			t.Skipf("this kernel refused the connect at once (%v): connectResult has nothing to ask", err)
		}
		require.NoErrorf(t, err, "startConnect(%s) failed: EINPROGRESS is the expected answer of a non-blocking connect, not an error. (README.md, Step 5)", refused)
		defer unix.Close(fd)
		writableWithin(t, fd)
		err = connectResult(fd)
		require.Truef(t, isConnRefused(err),
			"the connect to %s, where nothing listens, has ended (the socket is writable), and connectResult returned %v; want an error wrapping ECONNREFUSED. Writable means the handshake is over, not that it succeeded: read SO_ERROR with unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR) and return unix.Errno(value) when it is not 0. (README.md, Step 5)", refused, err)
	})
}

func TestStep5_ReportsAWrongEcho(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		addr := startPeer(t, bytes.ToUpper)
		results := runClient(t, newSelector, addr, 1, []string{"quiet please"}, wait)
		require.Truef(t, errors.Is(results[0].Err, ErrEchoDiffers),
			"the server answered in capitals; the client must report ErrEchoDiffers, got %v", results[0].Err)
	})
}

func TestStep5_GivesUpAfterTheTimeout(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		// This server reads and never answers, and never closes.
		ln := listenTCP(t)
		release, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			io.Copy(io.Discard, conn)
			<-release
		}()
		results := runClient(t, newSelector, ln.Addr().String(), 1, []string{"hello?"}, 300*time.Millisecond)
		close(release)
		ln.Close()
		<-done
		require.Truef(t, errors.Is(results[0].Err, os.ErrDeadlineExceeded),
			"a server that never answers: want an error wrapping os.ErrDeadlineExceeded, got %v", results[0].Err)
	})
}
