//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 4, the corners: one client's failure stays that client's, a log
// nobody reads does not stop the loop, and the stop keeps its promise.

// faultySelector is a Selector that fails on purpose: the failRegister-th
// Register (counting from 1; 0 never), and every Modify of a connection
// (data roleConn) if failModify is set. It remembers every descriptor
// registered with it.
type faultySelector struct {
	Selector
	failRegister int
	failModify   bool

	mu         sync.Mutex
	registered []int
}

var errInjected = errors.New("injected failure")

func (s *faultySelector) Register(fd int, events Events, data uint64) error {
	s.mu.Lock()
	s.registered = append(s.registered, fd)
	n := len(s.registered)
	s.mu.Unlock()
	if n == s.failRegister {
		return errInjected
	}
	return s.Selector.Register(fd, events, data)
}

func (s *faultySelector) Modify(fd int, events Events, data uint64) error {
	if s.failModify && data == roleConn {
		return errInjected
	}
	return s.Selector.Modify(fd, events, data)
}

func TestStep4_AddrIsSafeToCallWhileRunStops(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{})
		echoOnce(t, run, dial(t, addr), "hello\n")
		go l.Stop()
		bound := stopWait()
		giveUp := time.Now().Add(bound)
		for !run.finished(0) {
			require.Equal(t, addr, l.Addr().String(), "Addr changed while Run was stopping")
			if time.Now().After(giveUp) {
				stopReported.Store(true)
				t.Fatalf("Stop was called and Run had not returned %s later: on the waker's event Run must drain it and call l.beginStop, then return once no connection is left. (README.md, Step 4)", bound)
			}
		}
		require.Equalf(t, addr, l.Addr().String(),
			"after Run returned, Addr said %v; it must keep the address NewLoop was given (and read nothing that Run changes). (README.md, Step 4)", l.Addr())
	})
}

func TestStep4_AFailedRegistrationDropsOnlyThatClient(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		// Registrations: the waker, the listener, then clients.
		sel := &faultySelector{Selector: newSelector(), failRegister: 4}
		_, addr, run, log := startServer(t, func() Selector { return sel }, Config{})
		echoOnce(t, run, dial(t, addr), "first\n")
		unlucky := dial(t, addr)
		got, _ := run.readAll(t, unlucky)
		require.Emptyf(t, got, "the client whose registration failed should be closed")
		require.Falsef(t, run.finished(0), "Run returned (%v) because one client could not be registered; log it, close that client, and go on. (README.md, Step 4)", run.err)
		echoOnce(t, run, dial(t, addr), "third\n")
		require.Truef(t, eventually(func() bool { return strings.Contains(log.String(), errInjected.Error()) }),
			"the failed registration should be logged; the log was:\n%s", log)
	})
}

func TestStep4_AFailedModifyDropsOnlyThatClient(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		sel := &faultySelector{Selector: newSelector(), failModify: true}
		_, addr, run, _ := startServer(t, func() Selector { return sel }, Config{MaxLine: 16})
		other := dial(t, addr)
		echoOnce(t, run, other, "first\n")
		// An over-long line makes the loop watch for writing (the error
		// line), which this selector refuses.
		long := dial(t, addr)
		write(t, long, strings.Repeat("L", 100)+"\n")
		run.readAll(t, long)
		require.Falsef(t, run.finished(0), "Run returned (%v) because Modify failed for one client; close that client and go on. (README.md, Step 4)", run.err)
		echoOnce(t, run, other, "still served\n")
	})
}

// blockedLog is a log writer that blocks every Write until released, like a
// pipe whose reader has stopped reading.
type blockedLog struct {
	release chan struct{}
	mu      sync.Mutex
	buf     strings.Builder
}

func (b *blockedLog) Write(p []byte) (int, error) {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *blockedLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestStep4_KeepsServingWhileTheLogIsBlocked(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		log := &blockedLog{release: make(chan struct{})}
		ln, err := Listen("127.0.0.1:0")
		requireEarlier(t, 4, 2, "Listen", err)
		require.NoError(t, err, "test setup: Listen")
		l, err := NewLoop(ln, newSelector(), Config{Verbose: true, Log: log})
		require.NoError(t, err, "test setup: NewLoop")
		requireOneGoroutine(t)
		run := start(4, "Run", l.Run)
		released := false
		release := func() {
			if !released {
				released = true
				close(log.release)
			}
		}
		t.Cleanup(func() {
			release()
			l.Stop()
			run.finished(stopWait())
		})
		addr := ln.Addr().String()
		// Far more log lines than any queue holds: every line is logged
		// with Verbose, and every client's arrival.
		for i := range 100 {
			conn := dial(t, addr)
			msg := strings.Repeat("a log line nobody reads\n", 100)
			write(t, conn, msg)
			got, err := run.readN(t, conn, len(msg))
			if err != nil || string(got) != msg {
				t.Fatalf("the log blocks every write (a pipe nobody reads), and client %d got %d of its %d bytes back, then %v (%s): the loop must never write to the log itself, only hand lines to a queue that another goroutine writes. (README.md, Step 4)",
					i+1, len(got), len(msg), err, run.returned())
			}
			conn.Close()
		}
		release()
		l.Stop()
		requireStopped(t, run, "the log was released and Stop was called")
		require.Containsf(t, log.String(), "dropped",
			"lines were dropped while the log was blocked; the count should be logged when the log is back, or at stop")
	})
}

func TestStep4_HugeTimeoutsDoNotOverflow(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		forever := time.Duration(math.MaxInt64)
		_, addr, run, _ := startServer(t, newSelector, Config{IdleTimeout: forever})
		conn := dial(t, addr)
		echoOnce(t, run, conn, "hello\n")
		echoOnce(t, run, conn, "an idle timeout of 292 years is not over yet\n")
	})
}

func TestStep4_StopEchoesTheLinesThatCameWithTheLastOne(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{Grace: time.Minute})
		busy := dial(t, addr)
		echoOnce(t, run, busy, "hello\n")
		write(t, busy, "half")
		require.Truef(t, eventually(func() bool { return l.peakBuffered.Load() >= 4 }),
			"sent %q and the server never kept it in c.in", "half")
		l.Stop()
		require.True(t, eventually(func() bool {
			c, err := net.DialTimeout("tcp", addr, wait)
			if err == nil {
				c.Close()
			}
			return isConnRefused(err)
		}), "after Stop, new clients must be refused: on the waker's event Run must call l.beginStop, which closes the listener. (README.md, Step 4)")
		write(t, busy, "line\nextra1\nextra2\n")
		got, err := run.readAll(t, busy)
		require.NoError(t, err)
		require.Equalf(t, "halfline\nextra1\nextra2\n", string(got),
			"during a stop, the line in flight is finished, and the lines that came in the same read are echoed too, then the connection closes. (README.md, Step 4)")
	})
}

func TestStep4_NoGracePeriodClosesEverythingAtOnce(t *testing.T) {
	eachBackend(t, 4, func(t *testing.T, newSelector func() Selector) {
		l, addr, run, _ := startServer(t, newSelector, Config{Grace: 0})
		busy := dial(t, addr)
		echoOnce(t, run, busy, "hello\n")
		write(t, busy, "a line in flight")
		require.True(t, eventually(func() bool { return l.peakBuffered.Load() > 0 }))
		l.Stop()
		requireStopped(t, run, "with a grace period of 0, Stop must close every connection at once; Stop was called with a client in the middle of a line")
		busy.SetReadDeadline(time.Now().Add(wait))
		_, err := io.ReadAll(busy)
		require.NoError(t, err, "the client should see the server close")
	})
}
