package goroutines

// The loop that serves one client, run by the goroutine Serve starts for it.
// This file is complete. It is where Shutdown's wake-up and the idle timeout
// take effect: before every Read, the loop decides whether to read at all and
// sets the deadline for that Read.

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// aLongTimeAgo is a deadline in the past: a Read blocked on a connection
// returns at once with os.ErrDeadlineExceeded when it is set. net/http wakes
// its connections the same way.
var aLongTimeAgo = time.Unix(1, 0)

// conn is the server's side of one client: the line-echo state, and what
// Shutdown needs to wake it safely.
type conn struct {
	lines lineConn
	srv   *Server

	// mu orders this goroutine's "check for shutdown, then set the read
	// deadline" against Shutdown's wake-up (wake), so that the wake-up cannot
	// slip in between and be overwritten by a new deadline.
	mu        sync.Mutex
	lingering bool // closing: a wake-up must not cut the drain short
}

// serve runs the line-echo contract for one client until it leaves, stays
// idle past IdleTimeout, or Shutdown stops it. It always closes the
// connection, and returns the error that ended it, if any is worth logging.
func (c *conn) serve() error {
	buf := make([]byte, readSize)
	c.lines.writeTimeout = c.srv.IdleTimeout
	// lineEnded is true when the last read completed a line that an earlier
	// read had begun: once Shutdown has begun, that is where reading stops.
	lineEnded := false
	for {
		if !c.prepareRead(lineEnded) {
			// Shutdown has begun and no line is in flight: say goodbye.
			return c.close()
		}
		midLine, echoed := c.lines.inFlight() > 0, c.lines.echoed
		err := c.lines.readLines(buf)
		lineEnded = midLine && c.lines.echoed > echoed
		switch {
		case err == nil:
			// Read again.
		case errors.Is(err, errNotReading):
			// Our Write waited IdleTimeout for the client to read its echo:
			// the client sends and never reads. Lingering would only wait
			// on it again; close now and give its slot to someone else.
			c.setLingering()
			c.lines.Close()
			return err
		case errors.Is(err, os.ErrDeadlineExceeded) && c.srv.shuttingDown():
			// Woken by Shutdown (or idle during it): prepareRead decides.
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.srv.logf("%s: idle for %s, closing", c.lines.RemoteAddr(), c.srv.IdleTimeout)
			return c.close()
		case errors.Is(err, io.EOF):
			return c.lines.finish()
		case errors.As(err, new(lineTooLongError)):
			// Reached once at most, as the conversation ends: the target
			// errors.As needs may well be allocated here, and that is fine.
			c.setLingering()
			return c.lines.refuse()
		case errors.Is(err, net.ErrClosed) && c.srv.shuttingDown():
			// Shutdown's grace period ended and it closed this connection.
			return nil
		default:
			c.lines.Close()
			return err
		}
	}
}

// prepareRead runs before each Read. Once Shutdown has begun, it stops a
// connection (it reports false) that has no line in flight, or whose last
// read completed the line it was in the middle of (lineEnded): that read's
// complete lines are echoed already, and nothing more is read. Otherwise it
// sets the deadline for the next Read, from readDeadline (step 3).
func (c *conn) prepareRead(lineEnded bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.shuttingDown() && (c.lines.inFlight() == 0 || lineEnded) {
		c.lingering = true
		return false
	}
	c.lines.SetReadDeadline(c.srv.readDeadline(time.Now()))
	return true
}

// wake makes a Read blocked on this connection return now, so that its
// goroutine sees that Shutdown has begun. Shutdown calls it after setting its
// flag; prepareRead sees the flag or its deadline is overwritten by this one.
func (c *conn) wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.lingering {
		c.lines.SetReadDeadline(aLongTimeAgo)
	}
}

// setLingering marks the connection as closing, so wake leaves it alone.
func (c *conn) setLingering() {
	c.mu.Lock()
	c.lingering = true
	c.mu.Unlock()
}

// close ends a conversation that is neither finished nor failed (idle, or
// stopped by Shutdown) with a lingering close: the client reads EOF.
func (c *conn) close() error {
	c.setLingering()
	c.lines.lingerClose()
	return nil
}
