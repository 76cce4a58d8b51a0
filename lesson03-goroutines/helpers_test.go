package goroutines

// Helpers shared by every step's tests: loopback listeners, a log that is safe
// to read while the server writes it, the server running in the background,
// and reads that never wait longer than `wait`.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks, after all the tests have passed, that none of them left a
// goroutine behind: a connection goroutine that never returns is a leak that
// grows with every client. (When a test fails, goleak stays quiet.) When a
// test fails under the race detector, it says where the race hints are.
func TestMain(m *testing.M) {
	code := m.Run()
	switch {
	case code == 0:
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: Errors on successful test run: %v\n", err)
			code = 1
		}
	case raceEnabled:
		fmt.Println(raceNote(flag.Lookup("test.run").Value.String()))
	}
	os.Exit(code)
}

// raceNote is printed when a test run with -race fails: if the failure is a
// race report, it tells the learner which hint to read. run is the -run
// pattern, such as "Step1" or "^TestStep5_".
func raceNote(run string) string {
	where := "README.md, Step 1, Step 2 or Step 5: the hints that talk about races"
	if m := regexp.MustCompile(`(?i)step ?([1-9])`).FindStringSubmatch(run); m != nil {
		where = "README.md, Step " + m[1] + ", Hint"
	}
	return "If the output above says \"WARNING: DATA RACE\", two goroutines used the same variable " +
		"without a lock between them (or one wrote it while another read it); the report names both lines. " +
		"Give each goroutine its own variable, or guard the shared one with a mutex or make it atomic. (" + where + ")"
}

// wait bounds every wait in these tests: long enough for a slow, busy
// machine, short enough that a wrong implementation fails fast.
const wait = 2 * time.Second

// requireDone stops the test with one plain line when the function under test
// says its step is not written yet, instead of a pile of follow-on failures.
func requireDone(t *testing.T, step int, what string, err error) {
	t.Helper()
	if errors.Is(err, ErrNotImplemented) {
		t.Fatalf("step %d is not done yet: %s returned ErrNotImplemented.\nRead README.md, \"Step %d\", then run: go test -run Step%d",
			step, what, step, step)
	}
}

// listenTCP returns a listener on a free loopback port, closed when the test ends.
func listenTCP(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("test setup: cannot listen on 127.0.0.1:0: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// client is one test client: a connection with a deadline on every read and
// write, and a line reader over it.
type client struct {
	net.Conn
	in *bufio.Reader
}

// dial connects to addr, closes the connection when the test ends, and puts a
// deadline on it so that no read or write in a test can block for long.
func dial(t *testing.T, addr net.Addr) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr.String(), wait)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wait))
	return &client{Conn: conn, in: bufio.NewReader(conn)}
}

// write sends s or fails the test.
func (c *client) write(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("client: writing %q: %v", s, err)
	}
}

// readLine reads one line, "\n" included, within the connection's deadline.
func (c *client) readLine() (string, error) {
	return c.in.ReadString('\n')
}

// readToEOF reads until the server closes, returns what came before, and
// closes the connection, as a client does when the server has hung up (the
// server's lingering close waits for that).
func (c *client) readToEOF() (string, error) {
	rest, err := io.ReadAll(c.in)
	c.Close()
	return string(rest), err
}

// closeWrite half-closes: the server's next Read returns io.EOF, while the
// client can still read what the server sends back.
func (c *client) closeWrite(t *testing.T) {
	t.Helper()
	if err := c.Conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatalf("client: half-close: %v", err)
	}
}

// running is a function under test (Serve, Shutdown) running in the background.
type running struct {
	step int
	name string
	done chan struct{} // closed when the function has returned
	err  error         // what it returned; read it only after done is closed
}

// start runs fn in a goroutine. name and step are used in failure messages.
func start(step int, name string, fn func() error) *running {
	r := &running{step: step, name: name, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = fn()
	}()
	return r
}

// finished waits up to d for the function to return, and reports whether it
// did. A function that has returned is always reported as returned, even with
// d = 0: done is looked at before the timer and again after it, so that the
// answer never depends on which of two ready channels select picks.
func (r *running) finished(d time.Duration) bool {
	select {
	case <-r.done:
		return true
	default:
	}
	if d <= 0 {
		return false
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-r.done:
		return true
	case <-timer.C:
	}
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// returned describes how the function under test ended, for failure messages.
func (r *running) returned() string {
	select {
	case <-r.done:
		return fmt.Sprintf("%s has returned %v", r.name, r.err)
	default:
		return fmt.Sprintf("%s is still running", r.name)
	}
}

// checkNotDone fails the test with one line if the function has returned
// ErrNotImplemented by now.
func (r *running) checkNotDone(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
		requireDone(t, r.step, r.name, r.err)
	default:
	}
}

// read runs one blocking read (on a connection with a deadline) and returns
// what it got. If the function under test returns ErrNotImplemented
// meanwhile, the test stops there with one clear line instead of waiting.
func (r *running) read(t *testing.T, readFn func() (string, error)) (string, error) {
	t.Helper()
	type result struct {
		data string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := readFn()
		ch <- result{data, err}
	}()
	done := r.done
	for {
		select {
		case <-done:
			requireDone(t, r.step, r.name, r.err)
			done = nil // It returned for another reason: the read will tell.
		case res := <-ch:
			return res.data, res.err
		}
	}
}

// expectEcho sends line (which ends in "\n") on c and reads the echo. A
// failure names the hint of the function's own step.
func (r *running) expectEcho(t *testing.T, c *client, line, hint string) {
	t.Helper()
	r.expectEchoStep(t, c, line, hint, r.step)
}

// expectEchoStep is expectEcho for a test of a later step: its failure names
// the hint of that step.
func (r *running) expectEchoStep(t *testing.T, c *client, line, hint string, step int) {
	t.Helper()
	c.write(t, line)
	got, err := r.read(t, c.readLine)
	if err != nil {
		t.Fatalf("sent %q and waited up to %s for the echo; got %q, then %v (%s).\n%s (README.md, Step %d)",
			line, wait, got, err, r.returned(), hint, step)
	}
	if got != line {
		t.Fatalf("sent %q, got back %q. Each line must come back as it was sent. (README.md, Step %d)",
			line, got, step)
	}
}

// eventually polls cond until it holds or wait has passed, and reports
// whether it held. It is for state no event announces, such as "the server
// has read these bytes". If the function under test returns ErrNotImplemented
// meanwhile, the test stops there.
func (r *running) eventually(t *testing.T, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		r.checkNotDone(t)
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// logBuffer collects what the server logs. Connection goroutines write it
// while the test reads it, so it is guarded by a mutex.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// served is a Server running Serve on a listener in the background.
type served struct {
	*Server
	ln    net.Listener
	serve *running
	log   *logBuffer
}

// startServer runs srv.Serve(ln) with a fresh log. When the test ends it
// stops the server (with Shutdown if step 2 is done, else by closing the
// listener and every connection) and waits for every goroutine it started,
// so that no test leaves work running into the next. Every one of those waits
// is bounded: a server that does not stop fails the test with a hint, it
// does not hang it.
func startServer(t *testing.T, srv *Server, ln net.Listener) *served {
	t.Helper()
	s := &served{Server: srv, ln: ln, log: new(logBuffer)}
	srv.Log = s.log
	s.serve = start(1, "Serve", func() error { return srv.Serve(ln) })
	t.Cleanup(func() {
		// The test's clients have hung up by now (their cleanups ran first),
		// so every connection goroutine ends at once and forgets its conn.
		if !s.connectionsForgotten(t) {
			ln.Close()
			srv.closeConns()
			s.serve.finished(wait)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		shut := start(2, "Shutdown", func() error { return srv.Shutdown(ctx) })
		// An unfinished Shutdown may return ErrNotImplemented, or not return
		// at all: then stop the server by force, which also ends its wait.
		if !shut.finished(wait+wait/2) || errors.Is(shut.err, ErrNotImplemented) {
			srv.closeConns()
		}
		// Shutdown should have closed it; if it did not, a step 2 test says
		// so, and closing it here keeps every other test from waiting.
		ln.Close()
		if !s.serve.finished(wait) {
			t.Errorf("the listener was closed and Serve had not returned %s later: when Accept fails, return (ErrServerClosed during Shutdown, nil once the listener is closed). (README.md, Step 1)", wait)
		}
		s.waitForConnections(t)
		shut.finished(wait)
	})
	return s
}

// connectionsForgotten waits until the server holds no connection (every
// client of the test has hung up), and reports whether that happened within
// wait. If not, it fails the test with the step 1 hint: a connection's
// goroutine must end with s.forget(c), or Shutdown waits for it for ever.
func (s *served) connectionsForgotten(t *testing.T) bool {
	t.Helper()
	bound := wait
	if forgetReported.Load() {
		bound = wait / 10 // Said once already: fail the next tests fast.
	}
	deadline := time.Now().Add(bound)
	for s.openConns() > 0 {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s.openConns() == 0 {
		return true
	}
	forgetReported.Store(true)
	t.Errorf("every client had hung up, and %s later the server still counted %d open connections: "+
		"each connection's goroutine must call s.forget(c) when it ends (go func() { defer s.forget(c); ... }()), "+
		"or Shutdown waits for it for ever. (README.md, Step 1)", bound, s.openConns())
	return false
}

// forgetReported is set once a test has found connections that were never
// forgotten, so that the tests after it do not each wait the whole bound.
var forgetReported atomic.Bool

// waitForConnections waits until every connection goroutine has returned.
func (s *served) waitForConnections(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		s.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-time.After(wait):
	}
	t.Errorf("%s after the server was stopped, %d connection goroutines were still running: each must end with s.forget(c). (README.md, Step 1)", wait, s.openConns())
	s.closeConns()
	select {
	case <-done:
	case <-time.After(wait):
		// Left running: the test has failed, and goleak stays quiet then.
	}
}

// openConns counts the connections the server is serving.
func (s *served) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// startPeer runs a tiny server on loopback that gives each connection to
// talk, in its own goroutine. The client tests use it as their server, so
// they test only the client.
func startPeer(t *testing.T, talk func(conn net.Conn)) net.Listener {
	t.Helper()
	ln := listenTCP(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(2 * wait))
				talk(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln
}

// echoLinesPeer echoes each line as it arrives, and closes after the client
// half-closes.
func echoLinesPeer(conn net.Conn) {
	in := bufio.NewReader(conn)
	for {
		line, err := in.ReadString('\n')
		io.WriteString(conn, line)
		if err != nil {
			return
		}
	}
}

// readToEOFAfterHalfClose says "that is all" and reads what the server still
// sends until it closes.
func (c *client) readToEOFAfterHalfClose(t *testing.T) (string, error) {
	t.Helper()
	c.closeWrite(t)
	return c.readToEOF()
}
