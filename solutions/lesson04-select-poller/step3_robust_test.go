//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 3, the corners.

func TestStep3_ClosesABrokenConnectionAtOnceAndLogsItOnce(t *testing.T) {
	eachBackend(t, 3, func(t *testing.T, newSelector func() Selector) {
		log := new(logBuffer)
		l, err := newLoop(newSelector(), Config{MaxLine: 1024, Verbose: true, Log: log})
		require.NoError(t, err, "test setup: newLoop")
		closed := false
		t.Cleanup(func() {
			if !closed {
				l.close()
			}
		})
		a, b := socketPair(t)
		fd, err := dupNonblocking(a) // The loop closes its own copy.
		require.NoError(t, err)
		require.NoError(t, l.open(fd, netip.MustParseAddrPort("127.0.0.1:1")), "test setup: open")
		// The peer sends a line, then the start of one over MaxLine, and
		// stops receiving: every write to it fails (EPIPE).
		unix.Write(b, []byte("ok\n"+strings.Repeat("x", 2000)))
		unix.Shutdown(b, unix.SHUT_RD)

		err = l.serviceConn(fd, EventRead)
		requireDone(t, 3, "serviceConn", err)
		require.Truef(t, l.conns.get(fd) == nil,
			"the echo of %q failed (the peer receives nothing any more), and the connection was still open after serviceConn: a write that fails marks it phaseBroken, and nothing after it (reject, EOF, flushing) may change that; settle closes it at once. (README.md, Step 3)", "ok\n")
		l.close() // Writes the log out.
		closed = true
		require.Equalf(t, 1, strings.Count(log.String(), "closed"),
			"a broken connection is logged once; the log was:\n%s(README.md, Step 3)", log)
	})
}
