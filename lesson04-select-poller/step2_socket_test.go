//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 2: the raw listening socket, and accept until EAGAIN.

// listen calls Listen and stops the test cleanly if the step is not done.
func listen(t *testing.T, address string) *Listener {
	t.Helper()
	ln, err := Listen(address)
	requireDone(t, 2, "Listen", err)
	require.NoErrorf(t, err, "Listen(%q) failed. (README.md, Step 2)", address)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// acceptWithin calls ln.Accept, failing the test if it blocks: with nobody
// waiting, a non-blocking accept returns EAGAIN at once.
func acceptWithin(t *testing.T, ln *Listener) (int, netip.AddrPort, error) {
	t.Helper()
	type accepted struct {
		fd   int
		peer netip.AddrPort
		err  error
	}
	ch := make(chan accepted, 1)
	go func() {
		fd, peer, err := ln.Accept()
		ch <- accepted{fd, peer, err}
	}()
	select {
	case a := <-ch:
		requireDone(t, 2, "Accept", a.err)
		if a.err == nil {
			t.Cleanup(func() { unix.Close(a.fd) })
		}
		return a.fd, a.peer, a.err
	case <-time.After(wait):
		// Unblock the stuck accept so that no goroutine outlives the test.
		dial(t, ln.Addr().String())
		if a := <-ch; a.err == nil {
			unix.Close(a.fd)
		}
		t.Fatalf("Accept blocked for %s: the listening socket must be non-blocking, so that accept returns EAGAIN when nobody waits. (README.md, Step 2)", wait)
		return -1, netip.AddrPort{}, nil
	}
}

func TestStep2_ListensAndReportsThePort(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	require.Equalf(t, netip.MustParseAddr("127.0.0.1"), ln.Addr().Addr(),
		"Listen(%q) reports address %s. (README.md, Step 2)", "127.0.0.1:0", ln.Addr())
	require.NotZerof(t, ln.Addr().Port(),
		"Listen(\"127.0.0.1:0\") reports port 0: ask the kernel which port it picked with unix.Getsockname after bind. (README.md, Step 2)")
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
	require.NoErrorf(t, err, "dialing %s, the address Listen reported, failed: did you call unix.Listen after Bind? (README.md, Step 2)", ln.Addr())
	conn.Close()
}

func TestStep2_AcceptReturnsEAGAINWhenNobodyWaits(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	_, _, err := acceptWithin(t, ln)
	require.Truef(t, errors.Is(err, unix.EAGAIN),
		"Accept with nobody waiting returned %v; want an error wrapping unix.EAGAIN (\"try again later\"), returned at once. (README.md, Step 2)", err)
}

func TestStep2_AcceptsEveryWaitingClientUntilEAGAIN(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	clients := map[netip.AddrPort]bool{}
	for range 5 {
		c := dial(t, ln.Addr().String())
		clients[c.LocalAddr().(*net.TCPAddr).AddrPort()] = true
	}
	// The handshakes are done: all five wait in the backlog.
	accepted := map[netip.AddrPort]bool{}
	for range 10 {
		_, peer, err := acceptWithin(t, ln)
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		require.NoError(t, err, "Accept failed. (README.md, Step 2)")
		accepted[peer] = true
	}
	require.Equalf(t, clients, accepted,
		"five clients dialed; accepting until EAGAIN must return each once, with its address as the peer (fromSockaddr). (README.md, Step 2)")
}

func TestStep2_AcceptedSocketsAreNonBlocking(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	dial(t, ln.Addr().String())
	fd, _, err := acceptWithin(t, ln)
	require.NoError(t, err)
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	require.NoError(t, err)
	require.NotZerof(t, flags&unix.O_NONBLOCK,
		"the accepted socket is blocking: a read on it with nothing to read would stop the whole loop. Use accept4 with SOCK_NONBLOCK (acceptNonblocking). (README.md, Step 2)")
}

func TestStep2_SetsSO_REUSEADDR(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	v, err := unix.GetsockoptInt(ln.FD(), unix.SOL_SOCKET, unix.SO_REUSEADDR)
	require.NoError(t, err)
	require.NotZerof(t, v,
		"SO_REUSEADDR is off: a restarted server could not bind its port while old connections sit in TIME_WAIT. Set it before Bind. (README.md, Step 2)")
	flags, err := unix.FcntlInt(uintptr(ln.FD()), unix.F_GETFL, 0)
	require.NoError(t, err)
	require.NotZero(t, flags&unix.O_NONBLOCK, "the listening socket must be non-blocking (newSocket makes it so). (README.md, Step 2)")
}

func TestStep2_ReportsAnAddressInUse(t *testing.T) {
	taken := listenTCP(t)
	ln, err := Listen(taken.Addr().String())
	requireDone(t, 2, "Listen", err)
	if err == nil {
		ln.Close()
	}
	require.Truef(t, errors.Is(err, unix.EADDRINUSE),
		"Listen on %s, where another socket listens, returned %v; want an error wrapping EADDRINUSE, from Bind. (README.md, Step 2)", taken.Addr(), err)
}

func TestStep2_ListensOnIPv6(t *testing.T) {
	if probe, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("IPv6 loopback is not available here: %v", err)
	} else {
		probe.Close()
	}
	ln := listen(t, "[::1]:0")
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
	require.NoErrorf(t, err, "dialing %s failed: for an IPv6 address, use AF_INET6 (family) and a SockaddrInet6 (toSockaddr). (README.md, Step 2)", ln.Addr())
	conn.Close()
}
