//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

// Helpers shared by every step's tests: the selector backends to run each
// test on, raw socket pairs, a loopback client connection whose server side
// is a raw descriptor, a way to run the code under test in the background,
// and reads that never wait longer than `wait`.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// wait bounds every wait in these tests: long enough for a slow, busy
// machine, short enough that a wrong implementation fails fast.
const wait = 3 * time.Second

// TestMain fails the package if any test leaves a goroutine behind: a loop
// that never returned, a client still blocked. When a test fails under the
// race detector, it says what a race means here.
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
// race report, it says why there should be none. run is the -run pattern,
// such as "Step4" or "^TestStep4_".
func raceNote(run string) string {
	where := "README.md, Step 4"
	if m := regexp.MustCompile(`(?i)step ?([1-9])`).FindStringSubmatch(run); m != nil {
		where = "README.md, Step " + m[1]
	}
	return "If the output above says \"WARNING: DATA RACE\", two goroutines used the loop's state at once. " +
		"The loop has one goroutine: Run calls acceptAll and serviceConn itself, with no go statement, " +
		"and only Stop may be called from another goroutine. (" + where + ")"
}

// requireDone stops the test with one plain line when the function under test
// says its step is not written yet, instead of a pile of follow-on failures.
func requireDone(t testing.TB, step int, what string, err error) {
	t.Helper()
	if errors.Is(err, ErrNotImplemented) {
		sayOnce(t)
		t.Fatalf("step %d is not done yet: %s returned ErrNotImplemented.\nRead README.md, \"Step %d\", then run: go test -run Step%d",
			step, what, step, step)
	}
}

// requireEarlier stops a test of step `step` with one plain line when it
// needs a function of an earlier step that is not written yet.
func requireEarlier(t testing.TB, step, earlier int, what string, err error) {
	t.Helper()
	if errors.Is(err, ErrNotImplemented) {
		sayOnce(t)
		t.Fatalf("step %d needs step %d first: %s returned ErrNotImplemented.\nRead README.md, \"Step %d\", then run: go test -run Step%d",
			step, earlier, what, earlier, earlier)
	}
}

// saidNotDone holds the tests that requireDone or requireEarlier has
// stopped. A test says that a step is not done once: not again from its
// cleanups (which call requireDone too), and not again for its next backend
// (see eachBackend).
var saidNotDone sync.Map // testing.TB → true

// sayOnce stops t quietly if it has already said that a step is not done,
// and otherwise notes that it is about to say so.
func sayOnce(t testing.TB) {
	if _, said := saidNotDone.LoadOrStore(t, true); said {
		t.FailNow()
	}
}

// backend is one Selector implementation.
type backend struct {
	name string
	new  func() (Selector, error)
}

// backends are the selectors every test runs on: this kernel's own (epoll
// or kqueue: step 1) and poll(2), which is given complete.
var backends = []backend{{nativeSelector, NewSelector}, {"poll", NewPollSelector}}

// eachBackend runs test once per backend, as subtests named after it. In
// step 1 a backend that is not written yet fails its subtest; in later steps
// it is skipped, so that steps 2-5 can be done on poll(2) alone, and a test
// that fails on one backend is not run again on the next. A test whose
// step (or a step it builds on) is not done says so once and stops: before
// the subtests start (requireSteps), or after the first subtest that says so.
func eachBackend(t *testing.T, step int, test func(t *testing.T, newSelector func() Selector)) {
	t.Helper()
	requireSteps(t, step)
	for _, b := range backends {
		var sub *testing.T
		t.Run(b.name, func(t *testing.T) {
			sub = t
			if step > 1 {
				if err := unfinishedSelector(t, b); errors.Is(err, ErrNotImplemented) {
					t.Skipf("%s: step 1 is not done yet (%v); this test runs on poll(2) only", b.name, err)
				}
			}
			test(t, func() Selector {
				t.Helper()
				sel, err := b.new()
				requireDone(t, 1, constructorName(b), err)
				if err != nil {
					t.Fatalf("creating the %s selector: %v", b.name, err)
				}
				return sel
			})
		})
		if _, said := saidNotDone.Load(sub); said {
			t.FailNow() // The next backend would only say it again.
		}
		if step > 1 && sub.Failed() {
			// Steps 2 to 5 run the same code of yours on every backend:
			// the next one would most likely fail the same way, and slowly.
			t.Logf("failed on %s: not run again on the other backends", b.name)
			t.FailNow()
		}
	}
}

// constructorName is the function that makes b's selector: NewEpollSelector.
func constructorName(b backend) string {
	return "New" + strings.ToUpper(b.name[:1]) + b.name[1:] + "Selector"
}

// requireSteps stops a test of step `step`, before it runs on any backend,
// when a function it needs says that its step is not written yet. Each
// function is called once with nothing to do. (Step 2's tests have no
// subtests: they call requireDone themselves.)
func requireSteps(t *testing.T, step int) {
	t.Helper()
	switch step {
	case 1:
		for _, b := range backends {
			sel, err := b.new()
			requireDone(t, 1, constructorName(b), err)
			if err == nil {
				sel.Close()
			}
		}
	case 3:
		what, err := unfinishedConn(t)
		requireDone(t, 3, what, err)
	case 4:
		what, err := unfinishedListener(t)
		requireEarlier(t, 4, 2, what, err)
		what, err = unfinishedConn(t)
		requireEarlier(t, 4, 3, what, err)
	case 5:
		what, err := unfinishedConnect(t)
		requireDone(t, 5, what, err)
	}
}

// unfinishedSelector calls each method of a new selector of b once and
// returns the first error that says it is not written yet, or nil.
func unfinishedSelector(t *testing.T, b backend) error {
	sel, err := b.new()
	if err != nil {
		return err
	}
	fd, _ := socketPair(t)
	errs := []error{sel.Register(fd, EventRead, 1), sel.Modify(fd, EventWrite, 2)}
	_, err = sel.Select(make([]Event, 1), 0)
	errs = append(errs, err, sel.Unregister(fd), sel.Close())
	for _, err := range errs {
		if errors.Is(err, ErrNotImplemented) {
			return err
		}
	}
	return nil
}

// unfinishedListener calls Listen, then Accept with a client waiting (so
// that even a blocking Accept returns), and returns the name and the error
// of the first that fails. Step 2's own tests say what else is wrong.
func unfinishedListener(t *testing.T) (string, error) {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		return "Listen", err
	}
	defer ln.Close()
	client, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
	if err != nil {
		return "Listen", nil
	}
	defer client.Close()
	fd, _, err := ln.Accept()
	if err == nil {
		unix.Close(fd)
	}
	return "Accept", err
}

// unfinishedConn opens a loopback connection in a Loop on poll(2), calls
// each of step 3's functions once for it with nothing to read or write,
// and returns the name and the error of the first that says it is not
// written yet. serviceConn comes last: it calls the others.
func unfinishedConn(t *testing.T) (string, error) {
	t.Helper()
	sel, err := NewPollSelector()
	if err != nil {
		t.Fatalf("test setup: NewPollSelector: %v", err)
	}
	l, err := newLoop(sel, Config{})
	if err != nil {
		sel.Close()
		t.Fatalf("test setup: newLoop: %v", err)
	}
	defer l.close()
	fd, client := serverSide(t)
	if err := l.open(fd, client.LocalAddr().(*net.TCPAddr).AddrPort()); err != nil {
		t.Fatalf("test setup: open: %v", err)
	}
	c := l.conns.get(fd)
	for _, f := range []struct {
		name string
		call func() error
	}{
		{"readFrom", func() error { return l.readFrom(fd, c) }},
		{"frame", func() error { return l.frame(fd, c, nil) }},
		{"flush", func() error { return l.flush(fd, c) }},
		{"setInterest", func() error { return l.setInterest(fd, c) }},
		{"serviceConn", func() error { return l.serviceConn(fd, EventWrite) }},
	} {
		if err := f.call(); errors.Is(err, ErrNotImplemented) {
			return f.name, err
		}
	}
	return "", nil
}

// unfinishedConnect begins a connect to a loopback listener and asks how it
// went, and returns the name and the error of the first call that fails.
func unfinishedConnect(t *testing.T) (string, error) {
	t.Helper()
	ln := listenTCP(t)
	fd, err := startConnect(ln.Addr().(*net.TCPAddr).AddrPort())
	if err != nil {
		return "startConnect", err
	}
	defer unix.Close(fd)
	return "connectResult", connectResult(fd)
}

// socketPair returns two connected, non-blocking Unix-domain stream
// sockets, closed when the test ends (if the test has not closed them).
func socketPair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("test setup: socketpair: %v", err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
		unix.CloseOnExec(fd)
	}
	t.Cleanup(func() {
		unix.Close(fds[0])
		unix.Close(fds[1])
	})
	return fds[0], fds[1]
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

// dial connects to address, closes the connection when the test ends, and
// puts a deadline on it so that no read or write in a test can block for long.
func dial(t *testing.T, address string) *net.TCPConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", address, wait)
	if err != nil {
		t.Fatalf("dial %s: %v", address, err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wait))
	return conn.(*net.TCPConn)
}

// serverSide returns a loopback TCP connection as a client *net.TCPConn and
// the server's end as a raw non-blocking descriptor that Go's runtime knows
// nothing about (a dup of an accepted connection). Step 3's tests serve that
// descriptor with serviceConn; the test closes the descriptor only if the
// code under test did not.
func serverSide(t *testing.T) (fd int, client *net.TCPConn) {
	t.Helper()
	ln := listenTCP(t)
	client = dial(t, ln.Addr().String())
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatalf("test setup: accept: %v", err)
	}
	defer accepted.Close()
	rc, err := accepted.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	fd = -1
	rc.Control(func(s uintptr) { fd, err = dupNonblocking(int(s)) })
	if err != nil {
		t.Fatalf("test setup: dup: %v", err)
	}
	return fd, client
}

// dupNonblocking duplicates a socket descriptor, non-blocking and
// close-on-exec.
func dupNonblocking(fd int) (int, error) {
	nfd, err := unix.Dup(fd)
	if err != nil {
		return -1, err
	}
	unix.SetNonblock(nfd, true)
	unix.CloseOnExec(nfd)
	return nfd, nil
}

// write sends s on conn or fails the test.
func write(t *testing.T, conn net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(conn, s); err != nil {
		t.Fatalf("client: writing %q: %v", s, err)
	}
}

// running is the function under test (a pump of serviceConn, Run) running
// in the background.
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

// read runs one blocking read (with a deadline already set on its
// connection) and returns what it got. If the function under test returns
// ErrNotImplemented meanwhile, the test stops there with one clear line.
func (r *running) read(t *testing.T, readFn func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
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

// readN reads exactly n bytes from conn (see running.read).
func (r *running) readN(t *testing.T, conn net.Conn, n int) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) {
		conn.SetReadDeadline(time.Now().Add(wait))
		buf := make([]byte, n)
		got, err := io.ReadFull(conn, buf)
		return buf[:got], err
	})
}

// readAll reads from conn until the server closes it (see running.read).
// Each read that brings bytes renews the deadline, up to 3×wait in all: a
// slow machine echoing many MiB is not cut short, while a server that says
// nothing still fails after one wait.
func (r *running) readAll(t *testing.T, conn net.Conn) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) {
		end := time.Now().Add(3 * wait)
		var got []byte
		buf := make([]byte, 64<<10)
		for {
			deadline := time.Now().Add(wait)
			if deadline.After(end) {
				deadline = end
			}
			conn.SetReadDeadline(deadline)
			n, err := conn.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				return got, nil
			}
			if err != nil {
				return got, err
			}
		}
	})
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

// expectEcho reads len(want) bytes from conn and fails with a message that
// shows what was sent, what was expected, what came back and what to check.
func (r *running) expectEcho(t *testing.T, conn net.Conn, sent, want, hint string) {
	t.Helper()
	got, err := r.readN(t, conn, len(want))
	if err != nil {
		t.Fatalf("sent %q and waited up to %s for %q; got %q, then %v (%s).\n%s (README.md, Step %d)",
			clip([]byte(sent)), wait, clip([]byte(want)), got, err, r.returned(), hint, r.step)
	}
	if string(got) != want {
		t.Fatalf("sent %q, expected %q back, got %q.\n%s (README.md, Step %d)",
			clip([]byte(sent)), clip([]byte(want)), clip(got), hint, r.step)
	}
}

// expectNothing checks that no byte arrives on conn for a moment: the
// server must still be waiting (for the end of a line, say).
func (r *running) expectNothing(t *testing.T, conn net.Conn, sent, hint string) {
	t.Helper()
	got, _ := r.read(t, func() ([]byte, error) {
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 64)
		n, err := conn.Read(buf)
		return buf[:n], err
	})
	conn.SetReadDeadline(time.Now().Add(wait))
	if len(got) > 0 {
		t.Fatalf("sent %q and got %q back at once. %s (README.md, Step %d)", sent, got, hint, r.step)
	}
}

// pump serves the connections registered with l, as Run will in step 4:
// Select, then serviceConn for each ready connection. Step 3's tests run it
// in the background (start(3, "serviceConn", pump.run)) and stop it with
// halt before they look inside the loop.
type pump struct {
	l       *Loop
	stopped atomic.Bool
	r       *running
}

func startPump(t *testing.T, l *Loop) *pump {
	p := &pump{l: l}
	p.r = start(3, "serviceConn", func() error {
		for !p.stopped.Load() {
			n, err := l.sel.Select(l.ready, 5*time.Millisecond)
			if err != nil {
				return err
			}
			l.now = l.clock() // As l.wait does.
			for _, ev := range l.ready[:n] {
				if ev.Data != roleConn {
					continue
				}
				if err := l.serviceConn(ev.FD, ev.Events); err != nil {
					return err
				}
			}
			if l.now >= l.nextTimer {
				l.runTimers()
			}
		}
		return nil
	})
	t.Cleanup(func() { p.halt(t) })
	return p
}

// halt stops the pump and waits for it; after it returns, the test may
// look at l.
func (p *pump) halt(t *testing.T) {
	t.Helper()
	p.stopped.Store(true)
	if !p.r.finished(wait) {
		t.Fatalf("serviceConn did not return within %s: is it blocked in a read or a write? Every socket is non-blocking: a read or write that cannot proceed returns EAGAIN. (README.md, Step 3)", wait)
	}
	requireDone(t, 3, "serviceConn", p.r.err)
}

// logBuffer collects what the server logs. The server writes it from its own
// goroutine while the test reads it, so it is guarded by a mutex.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
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

// received lists the payloads of the `received: "..."` lines in the log.
func (l *logBuffer) received() []string {
	var lines []string
	for _, line := range strings.Split(l.String(), "\n") {
		if quoted, ok := strings.CutPrefix(line, "received: "); ok {
			if s, err := strconv.Unquote(quoted); err == nil {
				lines = append(lines, s)
			}
		}
	}
	return lines
}

// eventually polls cond until it holds or wait has passed.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// isConnRefused reports whether err says that nobody listens there.
func isConnRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// startPeer runs a line-echo server on loopback written with package net,
// one goroutine per connection, for the client's tests (step 5): it answers
// each line with answer(line) and closes when the client half-closes.
func startPeer(t *testing.T, answer func(line []byte) []byte) string {
	t.Helper()
	ln := listenTCP(t)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(2 * wait))
				data, err := io.ReadAll(conn)
				if err != nil {
					return
				}
				for _, line := range bytes.SplitAfter(data, []byte("\n")) {
					if len(line) > 0 {
						conn.Write(answer(line))
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// fdLimit is the most descriptors this process may open.
func fdLimit() uint64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur) // int64 on some systems
}

// openFDs counts the file descriptors this process has open, from
// /proc/self/fd (Linux) or /dev/fd (macOS, BSD). ok is false where neither
// can be listed.
func openFDs() (n int, ok bool) {
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		if entries, err := os.ReadDir(dir); err == nil {
			return len(entries), true
		}
	}
	return 0, false
}
