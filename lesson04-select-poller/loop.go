//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Config holds the server's limits: lesson 3's flags.
type Config struct {
	MaxLine     int           // longest line echoed, not counting its '\n' (default 65536)
	MaxConns    int           // connections served at once; 0 means no limit
	IdleTimeout time.Duration // close a connection that moved no bytes for this long; 0: never
	Grace       time.Duration // how long Stop lets in-flight lines finish; 0: close every connection at once
	Verbose     bool          // log every line received, not just connections
	Log         io.Writer     // where the log goes (through a logQueue: the loop never waits for it); nil discards it
}

const (
	// readBufferSize is the size of the one read buffer the loop shares
	// between all connections: only one of them reads at a time.
	readBufferSize = 64 << 10
	// highWater is the most pending output a connection may have before the
	// loop stops reading from it (backpressure). A client that sends without
	// reading then fills its own socket buffers, and its writes block: the
	// server's memory stays bounded.
	highWater = 64 << 10
	// lingerTimeout bounds how long a rejected client is drained after its
	// error line, before the socket is closed anyway.
	lingerTimeout = 2 * time.Second
	// maxEvents is how many ready descriptors one Select may report.
	maxEvents = 256
	// sweepInterval is the shortest time between two scans for expired
	// deadlines, so that many connections expiring one after another do not
	// turn into one scan each.
	sweepInterval = 10 * time.Millisecond
)

// Registration data: what each registered descriptor is, Python's key.data.
const (
	roleListener uint64 = iota + 1
	roleWaker
	roleConn
)

// never is a deadline that does not come.
const never = math.MaxInt64

// A Loop is the event-loop echo server: one goroutine, one Selector, every
// connection. Create it with NewLoop, run it with Run, stop it with Stop.
type Loop struct {
	cfg  Config
	log  io.Writer // logq, or io.Discard
	logq *logQueue // nil without a log
	sel  Selector
	ln   *Listener      // nil once closed
	addr netip.AddrPort // ln's address, kept: Addr reads it from any goroutine
	wake *waker

	conns connTable
	buf   []byte   // the one read buffer
	ready []Event  // filled by Select
	spare [][]byte // emptied connection buffers, kept for the next one that needs one

	tooLong []byte // "error: line exceeds N bytes\n", made once
	logNote []byte // reused to build the "connection from" line

	start     time.Time
	now       int64 // loop clock: nanoseconds since start, read once per Select
	nextTimer int64 // when the loop must wake up for a deadline (never: no deadline)
	busy      bool  // the last Select found something ready
	yield     bool  // the one before found something, the last nothing

	accepting     bool          // the listener is registered for EventRead
	acceptRetryAt int64         // after EMFILE: when to try accepting again (0: not waiting)
	acceptBackoff time.Duration // how long the last wait after EMFILE was

	stopping bool  // Stop was seen: no more accepting, idle connections closed
	stopAt   int64 // end of the grace period

	stopRequested atomic.Bool
	mu            sync.Mutex // guards wake against a Stop that races the end of Run
	done          bool       // Run has returned and closed wake

	iterations   atomic.Uint64 // Select calls so far: proves an idle loop does not spin
	peakBuffered atomic.Int64  // most bytes (in+out) one connection has held
}

// NewLoop prepares a server for ln, watched through sel. The Loop owns both
// from now on: Run closes them when it returns (NewLoop, if it fails).
func NewLoop(ln *Listener, sel Selector, cfg Config) (*Loop, error) {
	l, err := newLoop(sel, cfg)
	if err != nil {
		sel.Close()
		ln.Close()
		return nil, err
	}
	l.ln, l.addr = ln, ln.Addr() // Owned from here: close closes it.
	if err := sel.Register(ln.FD(), EventRead, roleListener); err != nil {
		l.close()
		return nil, err
	}
	l.accepting = true
	return l, nil
}

// newLoop makes a Loop with no listener: the waker, the buffers, the limits.
func newLoop(sel Selector, cfg Config) (*Loop, error) {
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = 65536
	}
	cfg.Grace = max(cfg.Grace, 0)
	l := &Loop{
		cfg:       cfg,
		log:       cfg.Log,
		sel:       sel,
		buf:       make([]byte, readBufferSize),
		ready:     make([]Event, maxEvents),
		tooLong:   fmt.Appendf(nil, "error: line exceeds %d bytes\n", cfg.MaxLine),
		start:     time.Now(),
		nextTimer: never,
	}
	wake, err := newWaker()
	if err != nil {
		return nil, err
	}
	if err := sel.Register(wake.readFD(), EventRead, roleWaker); err != nil {
		wake.close()
		return nil, err
	}
	l.wake = wake
	if l.log == nil {
		l.log = io.Discard
	} else {
		l.logq = newLogQueue(l.log)
		l.log = l.logq
	}
	return l, nil
}

// Run serves clients until Stop is called and the last connection has
// finished, or the grace period has run out. It runs every connection on
// the calling goroutine; the only other goroutine is the log's writer.
//
// Step 4. Loop: l.wait() (the Select), then for each ready Event in
// l.ready[:n] dispatch on its Data: roleListener → acceptAll, roleWaker →
// drain it and beginStop if Stop was called, roleConn → serviceConn. Then run
// the timers when l.nextTimer has come, and return nil once stopping with no
// connection left or past l.stopAt. See README.md, "Step 4".
func (l *Loop) Run() error {
	// TODO(step 4): Select, dispatch each ready Event on its Data, run the timers, stop.
	return notImplemented("step 4: Run")
}

// acceptAll accepts every connection waiting in the backlog, until Accept
// says EAGAIN, and registers each for reading. At the -max-conns limit it
// stops watching the listener (newcomers wait in the backlog) until a
// connection closes. When the process runs out of descriptors (EMFILE) it
// logs, pauses, and tries again later: the listener would otherwise stay
// readable and the loop would spin. One client's failure is that client's:
// it never ends Run (see acceptErrorAction).
//
// Step 4. Loop: stop at the limit (pauseAccepting); ln.Accept; on success
// l.open; on an error, do what acceptErrorAction(err) says: acceptWait →
// return nil; acceptNext → go on; acceptBackOff → return l.acceptLater(err);
// acceptFail → return err. See README.md, "Step 4".
func (l *Loop) acceptAll() error {
	// TODO(step 4): accept until EAGAIN, up to the connection limit.
	return notImplemented("step 4: acceptAll")
}

// What acceptAll does after a failed accept.
const (
	acceptWait    = iota // the backlog is empty: wait for the listener's next readiness
	acceptNext           // that one client failed: take the next
	acceptBackOff        // out of descriptors or memory, or unknown: pause, retry later
	acceptFail           // the listener itself is broken: Run cannot go on
)

// acceptErrorAction sorts accept's errors by whose fault they are.
//
// Most are one client's: it gave up before we took it (ECONNABORTED), or
// its connection met an error already (Linux's accept(2) says to treat
// "already-pending network errors" — ENETDOWN, EPROTO, ENOPROTOOPT,
// EHOSTDOWN, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH — like EAGAIN and call
// accept again), or a firewall rule refused it (EPERM). Each of those
// consumed its connection: take the next. Running out of descriptors or
// memory is the process's, and passes: pause and retry. Only errors that
// say the listening descriptor itself is wrong (EBADF, ENOTSOCK, EINVAL:
// closed, not a socket, not listening) are fatal, since every later accept
// would fail the same way. An error this list does not know backs off and
// retries, rather than end the server for everyone or spin on it.
func acceptErrorAction(err error) int {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return acceptBackOff
	}
	switch errno {
	case unix.EAGAIN:
		return acceptWait
	case unix.ECONNABORTED, unix.EINTR, unix.EPROTO, unix.EPERM,
		unix.ENETDOWN, unix.ENETUNREACH, unix.EHOSTDOWN, unix.EHOSTUNREACH,
		unix.ENOPROTOOPT, unix.EOPNOTSUPP, unix.ETIMEDOUT:
		return acceptNext
	case unix.EBADF, unix.ENOTSOCK, unix.EINVAL, unix.EFAULT:
		return acceptFail
	}
	return acceptBackOff // EMFILE, ENFILE, ENOBUFS, ENOMEM, and the unknown.
}

// Stop asks Run to stop gracefully: stop accepting, close idle connections,
// let in-flight lines finish for up to the grace period. It may be called from
// any goroutine, any number of times, and returns at once; Run returns when
// the stop is done.
func (l *Loop) Stop() {
	l.stopRequested.Store(true)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.wake.signal() // Select returns: the waker is readable.
	}
}

// Addr returns the listening address. It may be called from any goroutine,
// before, during and after Run: the address is kept from NewLoop, never
// changed, and so needs no lock.
func (l *Loop) Addr() netip.AddrPort { return l.addr }

// open starts serving a connection that acceptAll took. If the selector
// will not watch it, that connection is logged and closed, and its error
// returned; the loop goes on with the others.
func (l *Loop) open(fd int, peer netip.AddrPort) error {
	c := l.conns.add(fd)
	c.addr, c.interest = peer, EventRead
	if err := l.sel.Register(fd, EventRead, roleConn); err != nil {
		fmt.Fprintf(l.log, "connection from %s closed: %v\n", peer, err)
		l.conns.remove(c)
		unix.Close(fd)
		return err
	}
	l.touch(c)
	// Built by hand in a reused buffer: fmt would allocate for every client.
	l.logNote = append(peer.AppendTo(append(l.logNote[:0], "connection from "...)), '\n')
	l.log.Write(l.logNote)
	return nil
}

// beginStop starts the graceful stop: the listener closes (new clients are
// refused), idle connections close, and the others get until stopAt. A
// connection in the middle of a line may finish that line: it is read until
// the line is complete, every complete line read by then is echoed (those
// that came in the same read too), and then it closes without reading
// again (see send and settle). With a grace period of 0, nothing is
// finished: Run returns at the end of this round, and closes everything.
func (l *Loop) beginStop() {
	l.stopping = true
	l.stopAt = l.after(l.cfg.Grace)
	l.timerAt(l.stopAt)
	l.closeListener()
	if l.cfg.Grace == 0 {
		fmt.Fprintf(l.log, "shutting down: no grace period, closing every connection now\n")
		return
	}
	fmt.Fprintf(l.log, "shutting down: no new clients, lines in flight have %s to finish\n", l.cfg.Grace)
	l.conns.each(func(fd int, c *connState) {
		if c.phase == phaseOpen && len(c.in) == 0 {
			l.settle(fd, c) // Idle: closed. Output pending: flushed, then closed.
		}
	})
}

// pauseAccepting stops watching the listener: pending clients wait in the
// kernel's backlog.
func (l *Loop) pauseAccepting() error {
	if !l.accepting || l.ln == nil {
		return nil
	}
	l.accepting = false
	return l.sel.Modify(l.ln.FD(), 0, roleListener)
}

// resumeAccepting watches the listener again, unless something still holds it back.
func (l *Loop) resumeAccepting() error {
	if l.accepting || l.ln == nil || l.acceptRetryAt != 0 ||
		(l.cfg.MaxConns > 0 && l.conns.open >= l.cfg.MaxConns) {
		return nil
	}
	l.accepting = true
	return l.sel.Modify(l.ln.FD(), EventRead, roleListener)
}

// acceptLater pauses accepting after err (out of descriptors or memory) and
// tries again after a growing delay, as net/http's Serve does.
func (l *Loop) acceptLater(err error) error {
	l.acceptBackoff = min(max(2*l.acceptBackoff, 5*time.Millisecond), time.Second)
	fmt.Fprintf(l.log, "accept: %v; retrying in %s\n", err, l.acceptBackoff)
	l.acceptRetryAt = l.after(l.acceptBackoff)
	l.timerAt(l.acceptRetryAt)
	return l.pauseAccepting()
}

// closeListener unregisters and closes the listening socket.
func (l *Loop) closeListener() {
	if l.ln == nil {
		return
	}
	l.sel.Unregister(l.ln.FD())
	l.ln.Close()
	l.ln, l.accepting = nil, false
}

// clock reads the loop clock: nanoseconds since the loop was made.
func (l *Loop) clock() int64 { return int64(time.Since(l.start)) }

// after returns the loop time d from now, saturated at never: an idle
// timeout or grace period of a hundred years must not overflow int64 into
// a deadline in the past (which would close every connection at once).
func (l *Loop) after(d time.Duration) int64 {
	if d >= time.Duration(never-l.now) {
		return never
	}
	return l.now + int64(d)
}

// timerAt makes sure the loop wakes up by t.
func (l *Loop) timerAt(t int64) { l.nextTimer = min(l.nextTimer, t) }

// wait is one Select into l.ready. It waits until the next deadline, or for
// ever when there is none: an idle loop sleeps in the kernel. Under load it
// avoids sleeping: right after a round that found work it asks without
// waiting, since something is usually ready again; and if nothing was, it
// yields once (runtime.Gosched) before it blocks, since the clients' next
// messages are often microseconds away. Each sleep in the kernel costs two
// context switches; gnet's loop makes the same two moves. wait also reads
// the loop clock for the round.
func (l *Loop) wait() (int, error) {
	timeout := time.Duration(-1)
	switch {
	case l.busy:
		timeout = 0
	case l.nextTimer != never:
		timeout = time.Duration(max(l.nextTimer-l.clock(), 0))
	}
	if l.yield {
		runtime.Gosched()
	}
	n, err := l.sel.Select(l.ready, timeout)
	l.iterations.Add(1)
	l.yield = l.busy && n == 0
	l.busy = n > 0
	l.now = l.clock()
	return n, err
}

// runTimers closes the connections whose deadline has passed (idle clients,
// rejected clients done lingering), retries accepting after EMFILE, and
// finds the next deadline.
func (l *Loop) runTimers() {
	next := int64(never)
	if l.acceptRetryAt != 0 {
		if l.now >= l.acceptRetryAt {
			l.acceptRetryAt = 0
			l.resumeAccepting()
		} else {
			next = l.acceptRetryAt
		}
	}
	if l.stopping {
		next = min(next, l.stopAt)
	}
	l.conns.each(func(fd int, c *connState) {
		switch {
		case c.deadline == 0:
		case l.now >= c.deadline && c.phase >= phaseRejecting:
			l.closeConn(fd, c, nil) // It had its error line, or the chance to read it.
		case l.now >= c.deadline:
			l.closeConn(fd, c, fmt.Errorf("idle for %s", l.cfg.IdleTimeout))
		default:
			next = min(next, c.deadline)
		}
	})
	if next != never {
		next = max(next, l.after(sweepInterval))
	}
	l.nextTimer = next
}

// close ends Run: every connection, the listener, the waker, the selector,
// and last the log, which gets up to logFlushTimeout to write what is queued.
func (l *Loop) close() {
	if l.stopping && l.cfg.Grace > 0 && l.conns.open > 0 && l.now >= l.stopAt && !l.done {
		fmt.Fprintf(l.log, "grace period over: closed the %d connections still open\n", l.conns.open)
	}
	l.conns.each(func(fd int, c *connState) { l.closeConn(fd, c, nil) })
	l.closeListener()
	l.mu.Lock()
	if !l.done && l.wake != nil {
		l.sel.Unregister(l.wake.readFD())
		l.wake.close()
	}
	if !l.done {
		l.sel.Close()
	}
	alreadyDone := l.done
	l.done = true
	l.mu.Unlock()
	if l.logq != nil && !alreadyDone {
		if l.stopping {
			fmt.Fprintf(l.log, "stopped\n")
		}
		l.logq.close()
	}
}
