//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 4: the loop. Run serves real clients over a real listener, all on
// one goroutine; Stop, from another goroutine, ends it gracefully.

// startServer runs a Loop on a fresh loopback listener; the test's cleanup
// stops it and waits for Run to return.
func startServer(t *testing.T, newSelector func() Selector, cfg Config) (l *Loop, addr string, run *running, log *logBuffer) {
	t.Helper()
	log = new(logBuffer)
	cfg.Log = log
	ln, err := Listen("127.0.0.1:0")
	requireEarlier(t, 4, 2, "Listen", err)
	require.NoError(t, err, "test setup: Listen")
	l, err = NewLoop(ln, newSelector(), cfg)
	require.NoError(t, err, "test setup: NewLoop")
	requireOneGoroutine(t)
	run = start(4, "Run", l.Run)
	t.Cleanup(func() {
		// The test's clients have hung up by now (their cleanups ran first):
		// with no connection left, Run returns as soon as it sees the Stop.
		l.Stop()
		bound := stopWait()
		if !run.finished(bound) {
			stopReported.Store(true)
			t.Errorf("Stop was called, no client was left, and Run had not returned %s later: on the waker's event Run must drain it and call l.beginStop, then return once no connection is left. (README.md, Step 4)", bound)
		}
	})
	return l, ln.Addr().String(), run, log
}

// stopReported is set once a test has found that Run does not return after
// Stop, so that the tests after it do not each wait the whole bound.
var stopReported atomic.Bool

// stopWait bounds a wait for Run to stop: wait, or a tenth of a second once
// a test has found that Run does not return after Stop (said once already,
// the tests after it fail fast).
func stopWait() time.Duration {
	if stopReported.Load() {
		return wait / 30
	}
	return wait
}

// stopped waits for Run to return after Stop, within stopWait.
func stopped(run *running) bool {
	if run.finished(stopWait()) {
		return true
	}
	stopReported.Store(true)
	return false
}

// requireStopped fails the test unless Run returns within stopWait of the
// Stop that the test has just called; what says what the test had done.
func requireStopped(t *testing.T, run *running, what string) {
	t.Helper()
	bound := stopWait()
	if !stopped(run) {
		t.Fatalf("%s, and Run had not returned %s later: on the waker's event Run must drain it and call l.beginStop, then return once no connection is left or the grace period is over. (README.md, Step 4)", what, bound)
	}
}

// echoOnce sends one line on conn and checks that it comes back.
func echoOnce(t *testing.T, run *running, conn net.Conn, line string) {
	t.Helper()
	write(t, conn, line)
	run.expectEcho(t, conn, line, line, "Run must accept clients (acceptAll: call Accept until it returns EAGAIN, which is not an error but \"nobody else is waiting\") and pass every ready connection to serviceConn.")
}

// TestStep4_ServesEveryConnectionOnOneGoroutine comes first among the loop's
// tests: a loop that serves connections on goroutines of its own corrupts
// its state and may crash the test binary, so this says why before anything
// else runs, and the tests after it stop at once (requireOneGoroutine).
func TestStep4_ServesEveryConnectionOnOneGoroutine(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		sel := &goroutineSelector{Selector: newSelector()}
		_, addr, run, _ := startServer(t, func() Selector { return sel }, Config{})
		// Checked at the end too: on goroutines of its own, the loop may
		// fail an echo first.
		reported := false
		offLoop := func() bool {
			n := sel.counts().elsewhere
			if n > 0 && !reported {
				reported = true
				offLoopReported.Store(true)
				t.Errorf("%d calls to the selector came from goroutines other than the one running Run: Run must call acceptAll and serviceConn itself, with no go statement; one goroutine owns every connection. (README.md, Step 4)", n)
			}
			return n > 0
		}
		t.Cleanup(func() { offLoop() })
		for i := range 5 {
			conn := dial(t, addr)
			echoOnce(t, run, conn, fmt.Sprintf("client %d\n", i))
			conn.Close() // Serving the hang-up unregisters it, on some goroutine.
		}
		eventually(func() bool { return sel.counts().unregistered >= 5 || sel.counts().elsewhere > 0 })
		if offLoop() {
			t.FailNow()
		}
		for i := range 50 {
			echoOnce(t, run, dial(t, addr), fmt.Sprintf("client %d\n", i))
		}
		var stacks bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&stacks, 2)
		inLoop := 0
		for _, g := range strings.Split(stacks.String(), "\n\n") {
			if strings.Contains(g, "poller.(*Loop)") {
				inLoop++
			}
		}
		if inLoop != 1 {
			offLoopReported.Store(true)
			t.Fatalf("with 50 clients connected, %d goroutines run the loop's code; Run must serve them all itself, with no go statement. (README.md, Step 4)", inLoop)
		}
	})
}

// offLoopReported is set once a test has found that the loop runs on more
// than one goroutine: the tests after it would only race and crash.
var offLoopReported atomic.Bool

// requireOneGoroutine stops a test at once when the loop was found to serve
// connections on goroutines of its own.
func requireOneGoroutine(t *testing.T) {
	t.Helper()
	if offLoopReported.Load() {
		t.Fatalf("not run: Run serves connections on goroutines of its own (see TestStep4_ServesEveryConnectionOnOneGoroutine), and the loop's state would be corrupted. (README.md, Step 4)")
	}
}

// goroutineSelector is a Selector that notes which goroutine makes each
// call. The loop's goroutine is the one that calls Select; the calls before
// the first Select are NewLoop's, from the test's goroutine.
type goroutineSelector struct {
	Selector
	mu    sync.Mutex
	loop  string // "goroutine N", once Select has been called
	calls goroutineCounts
}

type goroutineCounts struct {
	unregistered int // Unregister calls
	elsewhere    int // calls, after the first Select, from another goroutine
}

// goroutineName returns "goroutine N" for the calling goroutine: the first
// line of its stack trace says so.
func goroutineName() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	name, _, _ := strings.Cut(string(buf), " [")
	return name
}

func (s *goroutineSelector) note(unregister bool) {
	name := goroutineName()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loop != "" && name != s.loop {
		s.calls.elsewhere++
	}
	if unregister {
		s.calls.unregistered++
	}
}

func (s *goroutineSelector) counts() goroutineCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *goroutineSelector) Register(fd int, events Events, data uint64) error {
	s.note(false)
	return s.Selector.Register(fd, events, data)
}

func (s *goroutineSelector) Modify(fd int, events Events, data uint64) error {
	s.note(false)
	return s.Selector.Modify(fd, events, data)
}

func (s *goroutineSelector) Unregister(fd int) error {
	s.note(true)
	return s.Selector.Unregister(fd)
}

func (s *goroutineSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	name := goroutineName()
	s.mu.Lock()
	if s.loop == "" {
		s.loop = name
	} else if name != s.loop {
		s.calls.elsewhere++
	}
	s.mu.Unlock()
	return s.Selector.Select(ready, timeout)
}

func TestStep4_EchoesLinesForSeveralClientsAtOnce(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, log := startServer(t, newSelector, Config{})
		first := dial(t, addr)
		second := dial(t, addr)
		write(t, first, "first, unfinished ")
		echoOnce(t, run, second, "second\n") // Served while first is mid-line.
		write(t, first, "and finished\n")
		run.expectEcho(t, first, "first, unfinished and finished\n", "first, unfinished and finished\n",
			"Each connection keeps its own unfinished line.")
		eventually(func() bool { return strings.Contains(log.String(), "connection from "+first.LocalAddr().String()) })
		require.Containsf(t, log.String(), "connection from "+first.LocalAddr().String(),
			"Run must log each client it accepts (l.open does); the log was:\n%s", log)
	})
}

func TestStep4_AcceptAllTakesEveryWaitingClient(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		ln, err := Listen("127.0.0.1:0")
		requireEarlier(t, 4, 2, "Listen", err)
		require.NoError(t, err, "test setup: Listen")
		l, err := NewLoop(ln, newSelector(), Config{Log: new(logBuffer)})
		require.NoError(t, err, "test setup: NewLoop")
		t.Cleanup(l.close)
		const waiting = 5
		for range waiting {
			dial(t, ln.Addr().String()) // The kernel completes the handshake: the client waits in the backlog.
		}
		err = l.acceptAll() // As Run does when the listener is readable.
		requireDone(t, 4, "acceptAll", err)
		require.NoErrorf(t, err, "acceptAll with %d clients waiting. (README.md, Step 4)", waiting)
		if l.conns.open < waiting {
			t.Fatalf("%d clients were waiting in the backlog and one call of acceptAll took %d: call Accept in a loop until it returns EAGAIN (the backlog is empty), not once per readiness; each client left behind costs one more round of the loop. (README.md, Step 4)", waiting, l.conns.open)
		}
	})
}

func TestStep4_ServesAThousandClientsAtOnce(t *testing.T) {
	const clients = 1000
	if limit := fdLimit(); limit < 2*clients+200 {
		t.Skipf("this process may open %d descriptors; the test needs %d (ulimit -n)", limit, 2*clients+200)
	}
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, _ := startServer(t, newSelector, Config{})
		echoOnce(t, run, dial(t, addr), "first\n")
		errs := make(chan error, clients)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- talk(addr, fmt.Sprintf("client %d, line 1\nclient %d, line 2\n", i, i))
			}()
		}
		wg.Wait()
		close(errs)
		failed := 0
		var first error
		for err := range errs {
			if err != nil {
				failed++
				first = cmpOr(first, err)
			}
		}
		require.Zerof(t, failed, "%d of %d clients, all connected at once, did not get their echo (%s); the first said: %v. Accept until EAGAIN on each readiness of the listener. (README.md, Step 4)",
			failed, clients, run.returned(), first)
	})
}

// talk is one whole conversation: connect, send, half-close, read the echo
// to the end, within wait.
func talk(addr, msg string) error {
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * wait))
	if _, err := io.WriteString(conn, msg); err != nil {
		return err
	}
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil {
		return fmt.Errorf("sent %q, read %q, then %w", msg, got, err)
	}
	if string(got) != msg {
		return fmt.Errorf("sent %q, got back %q", msg, got)
	}
	return nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func TestStep4_DoesNotSpinWhenIdle(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{IdleTimeout: time.Minute})
		for i := range 5 {
			echoOnce(t, run, dial(t, addr), fmt.Sprintf("client %d\n", i))
		}
		// Five idle clients, nothing to write: Select should sleep in the
		// kernel until something happens.
		before := l.iterations.Load()
		time.Sleep(200 * time.Millisecond)
		spins := l.iterations.Load() - before
		require.LessOrEqualf(t, spins, uint64(5),
			"with five idle clients the loop went round %d times in 200ms: something is always ready. Watch EventWrite only while output is pending (setInterest), drain the waker, and give Select a timeout of -1 (or the next deadline), not 0. (README.md, Step 4)", spins)
	})
}

func TestStep4_StopReturnsPromptlyWithIdleClients(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{Grace: time.Minute})
		idle := dial(t, addr)
		echoOnce(t, run, idle, "then silence\n")

		began := time.Now()
		go l.Stop() // From another goroutine, as a signal handler would.
		require.Truef(t, stopped(run),
			"Stop was called with one idle client connected and Run had not returned %s later (the grace period is a minute: an idle client must not hold it). On the waker's event, call beginStop; return once no connection is left. (README.md, Step 4)", wait)
		require.NoError(t, run.err, "after a graceful stop Run returns nil")
		_, err := idle.Read(make([]byte, 1))
		require.ErrorIsf(t, err, io.EOF, "the idle client should see the server close (EOF)")
		t.Logf("Run returned %s after Stop", time.Since(began).Round(time.Millisecond))
	})
}

func TestStep4_StopFinishesAnInFlightLine(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{Grace: time.Minute})
		busy := dial(t, addr)
		echoOnce(t, run, busy, "hello\n")
		write(t, busy, "half")
		// Wait until the server holds the unfinished line.
		require.Truef(t, eventually(func() bool { return l.peakBuffered.Load() >= 4 }),
			"sent %q and the server never kept it in c.in", "half")

		l.Stop()
		refused := stopReported.Load() == false && eventually(func() bool {
			c, err := net.DialTimeout("tcp", addr, wait)
			if err == nil {
				c.Close()
			}
			return isConnRefused(err)
		})
		require.True(t, refused, "after Stop, new clients must be refused: beginStop closes the listener")
		require.Falsef(t, run.finished(0), "%s while a client was in the middle of a line: once stopping, return only when no connection is left (l.conns.open == 0) or the grace period is over (l.now >= l.stopAt). (README.md, Step 4)", run.returned())

		write(t, busy, " done\n")
		run.expectEcho(t, busy, " done\n", "half done\n", "A line in flight when Stop is called is finished before the connection closes: once stopping, Run returns only when no connection is left or the grace period is over.")
		_, err := busy.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "once its line is echoed during a stop, the connection closes")
		require.True(t, stopped(run), "the last connection is done: Run must return. (README.md, Step 4)")
		require.NoError(t, run.err)
	})
}

func TestStep4_StopGivesUpAfterTheGracePeriod(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, log := startServer(t, newSelector, Config{Grace: 300 * time.Millisecond})
		slow := dial(t, addr)
		echoOnce(t, run, slow, "hello\n")
		write(t, slow, "a line that never ends")
		require.True(t, eventually(func() bool { return l.peakBuffered.Load() > 0 }))
		l.Stop()
		require.Truef(t, stopped(run),
			"a client never finished its line; Run must still return once the grace period (300ms) is over: Select with a timeout up to l.stopAt. (README.md, Step 4)")
		require.NoError(t, run.err)
		const over = "grace period over: closed the 1 connections still open\n"
		require.Truef(t, strings.Contains(log.String(), over),
			"the grace period ended with one client still open; the log should say %q, as l.close does, but it holds %q. Run must return through its deferred l.close(). (README.md, Step 4)",
			over, log.String())
	})
}

func TestStep4_RunClosesEverythingItOwnsWhenItReturns(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		// Go's own poller opens its descriptors on first use: make sure that
		// happened before counting.
		warm, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err, "test setup: net.Listen")
		warm.Close()
		before, ok := openFDs()
		if !ok {
			t.Skip("cannot count this process's open descriptors here (no /proc/self/fd, no /dev/fd): skipping the check that Run closes them")
		}
		ln, err := Listen("127.0.0.1:0")
		requireEarlier(t, 4, 2, "Listen", err)
		require.NoError(t, err, "test setup: Listen")
		l, err := NewLoop(ln, newSelector(), Config{Grace: 300 * time.Millisecond})
		require.NoError(t, err, "test setup: NewLoop")
		requireOneGoroutine(t)
		run := start(4, "Run", l.Run)
		t.Cleanup(func() {
			l.Stop()
			run.finished(stopWait())
		})
		idle := dial(t, ln.Addr().String())
		echoOnce(t, run, idle, "hello\n")
		busy := dial(t, ln.Addr().String())
		echoOnce(t, run, busy, "hello too\n")
		write(t, busy, "a line that never ends") // Still open when the grace period ends.
		require.True(t, eventually(func() bool { return l.peakBuffered.Load() > 0 }), "test setup: the server never read the unfinished line")
		l.Stop()
		requireStopped(t, run, "Stop was called with a grace period of 300ms and a client in the middle of a line")
		require.NoError(t, run.err, "after a graceful stop Run returns nil")
		idle.Close()
		busy.Close()
		after, _ := openFDs()
		if after > before {
			t.Fatalf("before the server started this process had %d descriptors open; after Run returned and the clients closed, %d: Run leaves %d open. When it returns, Run must close everything the loop owns (the connections still open, the listener, the waker, the selector): begin Run with defer l.close(). (README.md, Step 4)",
				before, after, after-before)
		}
	})
}

func TestStep4_ClosesIdleClients(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, log := startServer(t, newSelector, Config{IdleTimeout: 200 * time.Millisecond})
		idle := dial(t, addr)
		got, err := run.readAll(t, idle)
		require.NoErrorf(t, err, "a client that says nothing should be closed after the idle timeout (200ms); its read ended with %v. Run must call l.runTimers when l.nextTimer has come. (README.md, Step 4)", err)
		require.Empty(t, got)
		eventually(func() bool { return strings.Contains(log.String(), "idle") }) // The log is written by its own goroutine.
		require.Contains(t, log.String(), "idle", "closing an idle client is logged")
	})
}

func TestStep4_HoldsTheConnectionLimit(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, _ := startServer(t, newSelector, Config{MaxConns: 2})
		first, second := dial(t, addr), dial(t, addr)
		echoOnce(t, run, first, "one\n")
		echoOnce(t, run, second, "two\n")
		third := dial(t, addr) // Succeeds: the kernel's backlog takes it.
		write(t, third, "three\n")
		run.expectNothing(t, third, "three\n",
			"With MaxConns 2 and two clients connected, a third must wait in the backlog: stop watching the listener at the limit.")
		first.Close()
		run.expectEcho(t, third, "three\n", "three\n",
			"A client left: the loop must watch the listener again and accept the one waiting.")
	})
}

func TestStep4_KeepsMemoryBoundedWhenAClientNeverReads(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{})
		hog := dial(t, addr)
		echoOnce(t, run, hog, "hello\n")
		chunk := bytes.Repeat([]byte(strings.Repeat("h", 1023)+"\n"), 64)
		sent := 0
		for sent < 256<<20 {
			// A write that makes no progress for a second is blocked.
			hog.SetWriteDeadline(time.Now().Add(time.Second))
			n, err := hog.Write(chunk)
			sent += n
			if err != nil {
				break
			}
		}
		// Meanwhile, and after, other clients are served as usual.
		echoOnce(t, run, dial(t, addr), "still here\n")
		bound := int64(highWater + readBufferSize)
		require.LessOrEqualf(t, l.peakBuffered.Load(), bound,
			"a client sent %d MiB without reading; one connection's buffers reached %d bytes (bound: %d). (README.md, Step 3)", sent>>20, l.peakBuffered.Load(), bound)
		require.Lessf(t, sent, 256<<20, "a client sent 256 MiB without reading and was never held back")
		hog.SetLinger(0)
		hog.Close()
	})
}

func TestStep4_RejectsAnOverlongLineAndServesTheOthers(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, _ := startServer(t, newSelector, Config{MaxLine: 1024})
		other := dial(t, addr)
		long := dial(t, addr)
		write(t, long, strings.Repeat("L", 5000)+"\n")
		got, err := run.readAll(t, long)
		require.NoError(t, err)
		require.Equal(t, "error: line exceeds 1024 bytes\n", string(got), "a line over MaxLine gets one error line, then the connection closes")
		echoOnce(t, run, other, "unaffected\n")
	})
}

func TestStep4_SurvivesResetsAndEarlyHangUps(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		_, addr, run, _ := startServer(t, newSelector, Config{})
		echoOnce(t, run, dial(t, addr), "hello\n")
		dial(t, addr).Close() // Connects and leaves at once.
		rude := dial(t, addr)
		write(t, rude, "I will not wait for the ans")
		rude.SetLinger(0)
		rude.Close() // A reset.
		if err := talk(addr, "still there?\n"); err != nil {
			t.Fatalf("after a client left at once and another reset, a third one failed: %v (%s). One client's error closes that client only. (README.md, Step 4)", err, run.returned())
		}
		require.Falsef(t, run.finished(0), "%s after a client reset: close that connection and go on. (README.md, Step 4)", run.returned())
	})
}
