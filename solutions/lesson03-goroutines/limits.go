package goroutines

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// LimitListener returns a listener that lets at most n connections be open
// at once. Its Accept waits for a free slot before it accepts, so one client
// too many waits in the kernel's backlog: its dial succeeds (the kernel
// completes the handshake) but nobody reads what it sends until a served
// client closes its connection and frees a slot. It returns an error if n < 1.
//
// Step 3. Make a semaphore.NewWeighted(n) and a context that Close cancels
// (context.WithCancel). See README.md, "Step 3".
func LimitListener(ln net.Listener, n int) (net.Listener, error) {
	if n < 1 {
		return nil, fmt.Errorf("LimitListener: at least one connection must be allowed, got %d", n)
	}
	closed, cancel := context.WithCancel(context.Background())
	return &limitListener{Listener: ln, slots: semaphore.NewWeighted(int64(n)), closed: closed, cancel: cancel}, nil
}

// limitListener is what LimitListener returns.
type limitListener struct {
	net.Listener
	slots  *semaphore.Weighted // one unit per open connection
	closed context.Context     // done once Close is called
	cancel context.CancelFunc
}

// Accept waits for a free slot, then accepts a connection that gives its slot
// back when it is closed. If the listener is closed while it waits, it
// returns net.ErrClosed.
//
// Step 3. Acquire one unit of l.slots with l.closed as the context (an error
// means Close was called: return net.ErrClosed); Accept; on error, Release
// and return it; else return &limitedConn{Conn: conn, release: ...}.
func (l *limitListener) Accept() (net.Conn, error) {
	if err := l.slots.Acquire(l.closed, 1); err != nil {
		return nil, net.ErrClosed
	}
	conn, err := l.Listener.Accept()
	if err != nil {
		l.slots.Release(1)
		return nil, err
	}
	return &limitedConn{Conn: conn, release: func() { l.slots.Release(1) }}, nil
}

// Close stops the listener and wakes an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.cancel()
	return l.Listener.Close()
}

// limitedConn gives its slot back when it is closed, once however many
// times Close is called (the server closes, and Shutdown may close again).
type limitedConn struct {
	net.Conn
	release func()
	once    sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes, if the connection underneath can: the lingering
// close and the end of a conversation need it. If it cannot, CloseWrite
// returns errors.ErrUnsupported and leaves the connection open: the caller
// decides what to do instead (the lingering close closes it plainly).
func (c *limitedConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return fmt.Errorf("cannot half-close a %T: %w", c.Conn, errors.ErrUnsupported)
}

// readDeadline returns the deadline for a connection's next Read, given the
// time now: IdleTimeout from now, or no deadline at all (the zero time.Time)
// when IdleTimeout is 0. The connection's loop (conn.go) sets it before every
// Read, so the deadline moves on each time the client sends something, and a
// Read that reaches it means the client has been silent for IdleTimeout: the
// loop closes the connection.
//
// Step 3. See README.md, "Step 3".
func (s *Server) readDeadline(now time.Time) time.Time {
	if s.IdleTimeout <= 0 {
		return time.Time{}
	}
	return now.Add(s.IdleTimeout)
}
