package partialio

// Helpers shared by every step's tests: loopback listeners and connections,
// a proxy that splits every byte into its own TCP segment, a log that is safe
// to read while the server writes it, a way to run the code under test in the
// background, and reads that never wait longer than `wait`.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait bounds every wait in these tests: long enough for a slow, busy
// machine, short enough that a wrong implementation fails fast.
const wait = 2 * time.Second

// The tests that move 16 MiB do not bound the whole transfer tightly: on a
// busy machine with the race detector on it may take a while. They fail when
// nothing has moved for stall (a deadlock looks like that at once), and in
// any case after bigWait.
const (
	stall   = 3 * time.Second
	bigWait = 60 * time.Second
)

// requireDone stops the test with one plain line when the function under test
// says its step is not written yet, instead of a pile of follow-on failures.
func requireDone(t testing.TB, step int, what string, err error) {
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

// dialAddr connects to addr, closes the connection when the test ends, and
// puts a deadline on it so that no read or write in a test can block for long.
func dialAddr(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatalf("test setup: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wait))
	return conn.(*net.TCPConn)
}

// accept takes the next connection from ln within wait.
func accept(t *testing.T, ln net.Listener) *net.TCPConn {
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
		return a.conn.(*net.TCPConn)
	case <-time.After(wait):
		t.Fatalf("test setup: no connection to accept within %s", wait)
		return nil
	}
}

// connPair returns the two ends of one loopback TCP connection.
func connPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln := listenTCP(t)
	client = dialAddr(t, ln.Addr().String())
	server = accept(t, ln)
	return client, server
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
func closeWrite(t *testing.T, conn *net.TCPConn) {
	t.Helper()
	if err := conn.CloseWrite(); err != nil {
		t.Fatalf("test setup: the client could not half-close: %v", err)
	}
}

// startSplitter runs a TCP proxy in front of target that forwards one byte at
// a time, in both directions: one Write per byte, with Nagle's algorithm off
// (TCP_NODELAY), so each byte leaves in its own segment, and a short pause
// between bytes, like a slow link, so the reader on the other side is woken
// for nearly every one. Whatever sits behind it, and whatever talks to it,
// reads the stream in small pieces, as it may on any real network. No test
// depends on the pause for its result, only on how the bytes are cut. A
// half-close is passed on. It returns the proxy's address.
func startSplitter(t *testing.T, target string) string {
	t.Helper()
	ln := listenTCP(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	go func() {
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.DialTimeout("tcp", target, wait)
			if err != nil {
				down.Close()
				continue
			}
			track(down)
			track(up)
			wg.Add(2)
			go func() { defer wg.Done(); forwardByBytes(up.(*net.TCPConn), down.(*net.TCPConn)) }()
			go func() { defer wg.Done(); forwardByBytes(down.(*net.TCPConn), up.(*net.TCPConn)) }()
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
	return ln.Addr().String()
}

// bytePause is the splitter's pause after each byte it forwards.
const bytePause = 200 * time.Microsecond

// forwardByBytes copies src to dst one byte per Write, then passes on the
// end of the stream: a half-close after EOF, a full close after an error (a
// reset, say), so that both sides see what happened.
func forwardByBytes(dst, src *net.TCPConn) {
	dst.SetNoDelay(true) // Go's default; said here because the test depends on it.
	buf := make([]byte, 1)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				return
			}
			time.Sleep(bytePause)
		}
		if errors.Is(err, io.EOF) {
			dst.CloseWrite()
			return
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// countingConn counts the Reads made on a connection, to show that the
// splitter really splits. Embedding *net.TCPConn keeps CloseWrite.
type countingConn struct {
	*net.TCPConn
	mu    sync.Mutex
	reads int
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.TCPConn.Read(p)
}

func (c *countingConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
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
	timer := time.NewTimer(bigWait + wait)
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
				r.name, bigWait+wait, r.returned(), r.step)
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

// readSteadily reads exactly n bytes from conn, giving up when no byte has
// arrived for stall, or after bigWait in all (see running.read).
func (r *running) readSteadily(t *testing.T, conn net.Conn, n int) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) {
		buf := make([]byte, n)
		got, end := 0, time.Now().Add(bigWait)
		for got < n {
			deadline := time.Now().Add(stall)
			if deadline.After(end) {
				deadline = end
			}
			conn.SetReadDeadline(deadline)
			m, err := conn.Read(buf[got:])
			got += m
			if err != nil {
				return buf[:got], err
			}
		}
		return buf, nil
	})
}

// readAll reads from conn until the server closes it (see running.read).
func (r *running) readAll(t *testing.T, conn net.Conn) ([]byte, error) {
	t.Helper()
	return r.read(t, func() ([]byte, error) { return io.ReadAll(conn) })
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
// shows what was sent, what came back and what to check.
func (r *running) expectEcho(t *testing.T, conn net.Conn, sent, want, hint string) {
	t.Helper()
	got, err := r.readN(t, conn, len(want))
	if err != nil {
		t.Fatalf("sent %s, expected %s back, waited up to %s; got %s, then %v (%s).\n%s (README.md, Step %d)",
			quote(sent), quote(want), wait, quote(got), err, r.returned(), hint, r.step)
	}
	if string(got) != want {
		t.Fatalf("sent %s, expected %s back, got %s. (README.md, Step %d)", quote(sent), quote(want), quote(got), r.step)
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

// received returns the payloads of the `received: "..."` lines in the log.
func (l *logBuffer) received() []string {
	var all []string
	for _, line := range strings.Split(l.String(), "\n") {
		quoted, ok := strings.CutPrefix(line, "received: ")
		if !ok {
			continue
		}
		if s, err := strconv.Unquote(quoted); err == nil {
			all = append(all, s)
		}
	}
	return all
}

// startPeer runs a tiny server on loopback that gives each connection to
// talk, in its own goroutine. The client tests use it as their server, so
// they test only the client.
func startPeer(t *testing.T, talk func(conn *net.TCPConn)) net.Listener {
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
				conn.SetDeadline(time.Now().Add(bigWait))
				talk(conn.(*net.TCPConn))
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
func echoPeer(conn *net.TCPConn) { io.Copy(conn, conn) }

// smallBuffers shrinks a connection's kernel buffers. Left to itself, Linux
// grows them to several MiB on loopback, enough to hide a deadlock that any
// other machine or network would show; small buffers show it every time.
func smallBuffers(conn *net.TCPConn) {
	conn.SetReadBuffer(64 << 10)
	conn.SetWriteBuffer(64 << 10)
}

// numberedLines returns n lines of the given length (newline included, at
// least 16), numbered so that a lost, doubled or reordered line shows up.
func numberedLines(n, length int) []byte {
	var b bytes.Buffer
	for i := range n {
		number := fmt.Sprintf("line %07d ", i)
		b.WriteString(number)
		b.Write(bytes.Repeat([]byte{'0' + byte(i%10)}, length-len(number)-1))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// sameEnd reports whether a and b are the same one of the errors in ends
// (wrapped or not): two readings of the same input must end the same way.
func sameEnd(a, b error, ends ...error) bool {
	for _, end := range ends {
		if errors.Is(a, end) {
			return errors.Is(b, end)
		}
	}
	return false
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
