package goroutines

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: limits — at most N clients at once, and idle clients closed.

// limit wraps ln with LimitListener, or stops the test with one line.
func limit(t *testing.T, ln net.Listener, n int) net.Listener {
	t.Helper()
	limited, err := LimitListener(ln, n)
	requireDone(t, 3, "LimitListener", err)
	require.NoErrorf(t, err, "LimitListener(ln, %d)", n)
	require.NotNil(t, limited, "LimitListener returned neither a listener nor an error")
	return limited
}

func TestStep3_LimitHoldsAndOneMoreWaitsForAFreeSlot(t *testing.T) {
	s := startServer(t, &Server{}, limit(t, listenTCP(t), 2))
	first := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, first, "first\n", "With a limit of 2, the first client must be served.")
	second := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, second, "second\n", "With a limit of 2, the second client must be served.")

	// The third client's dial succeeds: the kernel completes the handshake
	// and queues the connection in the backlog. But Accept must not take it.
	third := dial(t, s.ln.Addr())
	third.write(t, "third\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	early, err := third.readLine()
	if !os.IsTimeout(err) {
		t.Fatalf("with a limit of 2 and two clients connected, a third read %q (%v): Accept must wait for a free slot (l.slots.Acquire) before it accepts. (README.md, Step 3)", early, err)
	}

	// The first client leaves; its slot goes to the third.
	rest, err := first.readToEOFAfterHalfClose(t)
	require.NoErrorf(t, err, "the first client half-closed and read %q, then %v", rest, err)
	third.SetReadDeadline(time.Now().Add(wait))
	got, err := third.readLine()
	require.Equalf(t, "third\n", got,
		"the first client left, so the third should have been accepted and echoed; it read %q, then %v. Closing a connection must give its slot back (limitedConn.Close calls release). (README.md, Step 3)", got, err)
}

func TestStep3_CloseWakesAnAcceptWaitingForASlot(t *testing.T) {
	ln := limit(t, listenTCP(t), 1)
	dial(t, ln.Addr())
	held, err := ln.Accept()
	require.NoError(t, err, "the first Accept must succeed at once")
	defer held.Close()

	waiting := start(3, "limitListener.Accept", func() error {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
			return errors.New("Accept returned a connection although the only slot is taken")
		}
		return err
	})
	require.Falsef(t, waiting.finished(100*time.Millisecond),
		"with its one slot taken, Accept did not wait for the slot: %s. (README.md, Step 3)", waiting.returned())
	ln.Close()
	require.Truef(t, waiting.finished(wait),
		"Accept was waiting for a slot, the listener was closed, and Accept had not returned %s later: Close cancels the context Acquire waits with. (README.md, Step 3)", wait)
	require.ErrorIsf(t, waiting.err, net.ErrClosed,
		"an Accept woken by Close must return net.ErrClosed, so that Serve knows the listener is closed. (README.md, Step 3)")
}

func TestStep3_LimitListenerRefusesZero(t *testing.T) {
	_, err := LimitListener(listenTCP(t), 0)
	requireDone(t, 3, "LimitListener", err)
	require.Error(t, err, "a limit of 0 connections would accept nobody: LimitListener must return an error for n < 1. (README.md, Step 3)")
}

func TestStep3_ReadDeadlineIsIdleTimeoutFromNow(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := &Server{IdleTimeout: 30 * time.Second}
	got := srv.readDeadline(now)
	if got.IsZero() {
		t.Fatalf("step 3 is not done yet: with IdleTimeout 30s, readDeadline returned the zero time (no deadline), so no idle client is ever closed.\nRead README.md, \"Step 3\", then run: go test -run Step3")
	}
	if want := now.Add(30 * time.Second); !got.Equal(want) {
		t.Fatalf("with IdleTimeout 30s and now = %s, readDeadline returned %s (%s after now); want now + 30s: return now.Add(s.IdleTimeout). (README.md, Step 3)",
			now.Format(time.TimeOnly), got.Format(time.TimeOnly), got.Sub(now))
	}
	for _, idle := range []time.Duration{0, -time.Second} {
		srv.IdleTimeout = idle
		if got := srv.readDeadline(now); !got.IsZero() {
			t.Fatalf("with IdleTimeout %s there is no idle limit, and readDeadline returned a deadline %s after now; want the zero time.Time, which means no deadline (IdleTimeout <= 0). (README.md, Step 3)",
				idle, got.Sub(now))
		}
	}
}

func TestStep3_IdleClientsAreClosed(t *testing.T) {
	const idle = 200 * time.Millisecond
	if (&Server{IdleTimeout: idle}).readDeadline(time.Now()).IsZero() {
		t.Fatalf("step 3 is not done yet: with IdleTimeout %s, readDeadline returned no deadline, so no idle client is ever closed.\nRead README.md, \"Step 3\", then run: go test -run Step3", idle)
	}
	s := startServer(t, &Server{IdleTimeout: idle}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "then silence\n", "Serve must accept the client and run c.serve() for it.")

	sent := time.Now()
	rest, err := c.readToEOF()
	if err != nil {
		t.Fatalf("a client sent nothing for %s with IdleTimeout %s, and was not closed (read %q, then %v). readDeadline must return now + IdleTimeout. (README.md, Step 3)",
			time.Since(sent).Round(time.Millisecond), idle, rest, err)
	}
	// The server starts counting a moment before the client does: allow for it.
	require.GreaterOrEqualf(t, time.Since(sent), idle/2,
		"the client was closed %s after its last line, long before IdleTimeout (%s)", time.Since(sent), idle)
	require.Containsf(t, s.log.String(), "idle", "closing an idle client is logged. The log was:\n%s", s.log)
}
