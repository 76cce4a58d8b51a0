package blocking

// Helpers shared by every step's tests: loopback listeners, a log that is safe
// to read while the server writes it, a way to run the code under test in the
// background, and reads that never wait longer than `wait`.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

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

// socketPath returns a path for a Unix domain socket. It is short on purpose:
// socket paths are limited to about 100 bytes, and test temp dirs can be long.
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "l1")
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "echo.sock")
}

// listenUnix returns a listener on a Unix domain socket, or skips the test
// where this system has none.
func listenUnix(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("unix", socketPath(t))
	if err != nil {
		t.Skipf("Unix domain sockets are not available here: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// dial connects to ln, closes the connection when the test ends, and puts a
// deadline on it so that no read or write in a test can block for long.
func dial(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout(ln.Addr().Network(), ln.Addr().String(), wait)
	if err != nil {
		t.Fatalf("test setup: dial %s: %v", ln.Addr(), err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wait))
	return conn
}

// accept takes the next connection from ln within wait.
func accept(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	type accepted struct {
		conn net.Conn
		err  error
	}
	ch := make(chan accepted, 1)
	go func() {
		conn, err := ln.Accept()
		ch <- accepted{conn, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			t.Fatalf("test setup: accept: %v", a.err)
		}
		t.Cleanup(func() { a.conn.Close() })
		return a.conn
	case <-time.After(wait):
		t.Fatalf("test setup: no connection to accept within %s", wait)
		return nil
	}
}

// write sends s on conn, the client's side of a connection to the function
// under test, or fails the test.
func (r *running) write(t *testing.T, conn net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(conn, s); err != nil {
		t.Fatalf("the client could not send %s: %v (%s). Did the server close the connection before the client was done? (README.md, Step %d)",
			quote(s), err, r.returned(), r.step)
	}
}

// closeWrite half-closes conn: the peer's next Read returns io.EOF, while conn
// can still read what the peer sends back.
func closeWrite(t *testing.T, conn net.Conn) {
	t.Helper()
	hc, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		t.Fatalf("test setup: %T cannot half-close", conn)
	}
	if err := hc.CloseWrite(); err != nil {
		t.Fatalf("test setup: the client could not half-close: %v", err)
	}
}

// running is the function under test (Handle, Serve) running in the background.
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
// did. It looks at done before it starts a timer: a select between done and a
// timer that has already fired picks one of the two at random.
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
	// The connection has a deadline, so the read ends by itself; the timer
	// is there so that even a test with a mistake of its own cannot hang.
	timer := time.NewTimer(10 * wait)
	defer timer.Stop()
	done := r.done
	for {
		select {
		case <-done:
			requireDone(t, r.step, r.name, r.err)
			done = nil // It returned for another reason: the read will tell.
		case res := <-ch:
			return res.data, res.err
		case <-timer.C:
			t.Fatalf("a read from %s's connection had not returned after %s (%s). (README.md, Step %d)",
				r.name, 10*wait, r.returned(), r.step)
			return nil, nil
		}
	}
}

// readN reads exactly n bytes from conn (see running.read).
func (r *running) readN(t *testing.T, conn net.Conn, n int) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) {
		buf := make([]byte, n)
		got, err := io.ReadFull(conn, buf)
		return buf[:got], err
	})
}

// readAll reads from conn until the server closes it (see running.read).
func (r *running) readAll(t *testing.T, conn net.Conn) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) { return io.ReadAll(conn) })
}

// readAllSteadily reads from conn until the server closes it, giving up only
// when nothing has arrived for wait: a busy machine may take a while to move
// a large echo, but one that has stalled shows within wait (see running.read).
func (r *running) readAllSteadily(t *testing.T, conn net.Conn) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) {
		var all []byte
		buf := make([]byte, 64<<10)
		for {
			conn.SetReadDeadline(time.Now().Add(wait))
			n, err := conn.Read(buf)
			all = append(all, buf[:n]...)
			if errors.Is(err, io.EOF) {
				return all, nil
			}
			if err != nil {
				return all, err
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

// expectEcho reads len(sent) bytes from conn and fails with a message that
// shows what was sent, what came back and what to check.
func (r *running) expectEcho(t *testing.T, conn net.Conn, sent, hint string) {
	t.Helper()
	got, err := r.readN(t, conn, len(sent))
	if err != nil {
		t.Fatalf("sent %s and waited up to %s for the echo; got %s, then %v (%s).\n%s (README.md, Step %d)",
			quote(sent), wait, quote(got), err, r.returned(), hint, r.step)
	}
	if string(got) != sent {
		t.Fatalf("sent %s, got back %s. The echo must be the same bytes in the same order. (README.md, Step %d)",
			quote(sent), quote(got), r.step)
	}
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

// received joins the payloads of the `received: "..."` lines in the log. A
// message may arrive in several reads, so the test cannot expect one line.
func (l *logBuffer) received() string {
	var all strings.Builder
	for _, line := range strings.Split(l.String(), "\n") {
		quoted, ok := strings.CutPrefix(line, "received: ")
		if !ok {
			continue
		}
		if s, err := strconv.Unquote(quoted); err == nil {
			all.WriteString(s)
		}
	}
	return all.String()
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
	go func() {
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

// echoPeer echoes bytes as they arrive, and closes after the client half-closes.
func echoPeer(conn net.Conn) { io.Copy(conn, conn) }

// isConnRefused reports whether err means that nobody listens at the address.
func isConnRefused(err error) bool {
	var errno syscall.Errno
	// 10061 is WSAECONNREFUSED: Windows' own number for the same error.
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &errno) && errno == 10061)
}

// firstDifference describes where two byte slices part, for failure messages
// about payloads too long to print whole.
func firstDifference(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	end := func(b []byte) []byte { return b[i:min(len(b), i+16)] }
	return fmt.Sprintf("sent %d bytes, got %d; first difference at byte %d: sent %q, got %q",
		len(want), len(got), i, end(want), end(got))
}

// quote shows bytes in a failure message as Go would write them (%q), and
// only their two ends when there are many: a message must stay readable.
func quote[B ~string | ~[]byte](b B) string {
	const keep = 24
	if len(b) <= 3*keep {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q...%q (%d bytes)", b[:keep], b[len(b)-keep:], len(b))
}
