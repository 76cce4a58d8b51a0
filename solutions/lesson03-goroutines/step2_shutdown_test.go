package goroutines

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Step 2: Shutdown stops the server gracefully.

// shutdown runs s.Shutdown with a grace period in the background.
func (s *served) shutdown(t *testing.T, grace time.Duration) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	t.Cleanup(cancel)
	return start(2, "Shutdown", func() error { return s.Shutdown(ctx) })
}

// requireShutdown stops a step 2 test at once, with one line, while
// Shutdown is not written yet: it tries it on a server that never served.
func requireShutdown(t *testing.T) {
	t.Helper()
	requireDone(t, 2, "Shutdown", (&Server{}).Shutdown(context.Background()))
}

// requireReturned waits for Shutdown and fails unless it returned within d.
func requireReturned(t *testing.T, shut *running, d time.Duration, why string) {
	t.Helper()
	if !shut.finished(d) {
		t.Fatalf("Shutdown had not returned %s after it was called. %s (README.md, Step 2)", d, why)
	}
	requireDone(t, 2, "Shutdown", shut.err)
}

func TestStep2_StopsAcceptingAndRefusesNewClients(t *testing.T) {
	requireShutdown(t)
	s := startServer(t, &Server{}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "before\n", "Serve must accept the client and run c.serve() for it.")

	shut := s.shutdown(t, wait)
	rest, err := shut.read(t, c.readToEOF)
	require.NoErrorf(t, err, "the idle client was waiting for Shutdown to close its connection, and read %q, then %v: wake every conn in s.conns. (README.md, Step 2)", rest, err)
	requireReturned(t, shut, wait, "With one idle client, it should return almost at once.")
	require.Truef(t, s.serve.finished(wait), "Shutdown returned, and Serve had not returned %s later: Shutdown must close every listener in s.listeners", wait)
	require.ErrorIsf(t, s.serve.err, ErrServerClosed,
		"after Shutdown, Serve must return ErrServerClosed (the caller asked for the stop), not %v: check s.shuttingDown() when Accept fails. (README.md, Step 1)", s.serve.err)

	conn, err := net.DialTimeout("tcp", s.ln.Addr().String(), wait)
	if err == nil {
		conn.Close()
		t.Fatalf("a new client could still connect after Shutdown: close every listener in s.listeners. (README.md, Step 2)")
	}
}

func TestStep2_ClosesIdleClientsAndReturnsWithinTheGracePeriod(t *testing.T) {
	requireShutdown(t)
	s := startServer(t, &Server{}, listenTCP(t))
	clients := make([]*client, 5)
	for i := range clients {
		clients[i] = dial(t, s.ln.Addr())
		s.serve.expectEcho(t, clients[i], "hello\n", "Serve must accept the client and run c.serve() for it.")
	}
	// Five clients, connected and silent: each goroutine is blocked in Read.

	const grace = 3 * time.Second
	began := time.Now()
	shut := s.shutdown(t, grace)
	for i, c := range clients {
		rest, err := shut.read(t, c.readToEOF)
		require.NoErrorf(t, err,
			"idle client %d was waiting for Shutdown to close its connection and read %q, then %v. A goroutine blocked in Read sees nothing until it is woken: call wake on every conn in s.conns. (README.md, Step 2)",
			i+1, rest, err)
		require.Emptyf(t, rest, "idle client %d had nothing in flight, and read %q at shutdown", i+1, rest)
	}
	requireReturned(t, shut, grace, "Every client was idle: wait for s.handlers, then return.")
	require.NoErrorf(t, shut.err,
		"every connection closed within the grace period (after %s), so Shutdown must return nil", time.Since(began).Round(time.Millisecond))
}

func TestStep2_FinishesALineInFlight(t *testing.T) {
	requireShutdown(t)
	s := startServer(t, &Server{}, watchLines(listenTCP(t)))
	busy := dial(t, s.ln.Addr())
	idle := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, idle, "I am idle\n", "Serve must accept the client and run c.serve() for it.")
	busy.write(t, "half a li")
	require.Truef(t, s.serve.eventually(t, func() bool { return s.linesInFlight() == 1 }),
		"test setup: the server did not read the first half of the line within %s", wait)

	// Shutdown begins while the server holds half of busy's line.
	shut := s.shutdown(t, wait)
	rest, err := shut.read(t, idle.readToEOF)
	require.NoErrorf(t, err, "the idle client was not closed at shutdown (read %q, then %v): wake every conn in s.conns. (README.md, Step 2)", rest, err)
	require.Falsef(t, shut.finished(100*time.Millisecond),
		"%s while a client was in the middle of a line: wait for s.handlers; force only when ctx is done. (README.md, Step 2)", shut.returned())
	_, err = net.DialTimeout("tcp", s.ln.Addr().String(), wait)
	require.Errorf(t, err, "a new client could connect during Shutdown: close the listeners first. (README.md, Step 2)")

	busy.write(t, "ne\n")
	got, err := shut.read(t, busy.readToEOF)
	require.NoErrorf(t, err, "finishing its line during Shutdown, the client read %q, then %v", got, err)
	require.Equalf(t, "half a line\n", got,
		"a line in flight when Shutdown began must be finished and echoed, then the connection closed. (README.md, Step 2)")
	requireReturned(t, shut, wait, "The last line was echoed and the connection closed: Shutdown should be done.")
	require.NoError(t, shut.err, "every connection ended within the grace period: Shutdown must return nil")
}

func TestStep2_ForcesConnectionsClosedAfterTheGracePeriod(t *testing.T) {
	requireShutdown(t)
	s := startServer(t, &Server{}, watchLines(listenTCP(t)))
	stuck := dial(t, s.ln.Addr())
	stuck.write(t, "a line that never ends")
	require.Truef(t, s.serve.eventually(t, func() bool { return s.linesInFlight() == 1 }),
		"test setup: the server did not read the line within %s", wait)

	const grace = 200 * time.Millisecond
	shut := s.shutdown(t, grace)
	requireReturned(t, shut, grace+wait,
		"When ctx is done (the grace period is over), close every connection left with s.closeConns(), wait for their goroutines, and return ctx.Err().")
	require.Truef(t, errors.Is(shut.err, context.DeadlineExceeded),
		"the grace period ran out with a line still in flight: Shutdown must return ctx.Err(), got %v. (README.md, Step 2)", shut.err)
	_, err := stuck.readToEOF()
	require.NoErrorf(t, err, "the stuck client must find its connection closed")
}

// holdingListener accepts connections whose goroutine, once its connection
// is closed under it, takes a while to notice: their Read holds the error
// until the test releases it. It shows whether Shutdown, at the end of the
// grace period, waits for the goroutines of the connections it closed. It
// wraps a watchLines listener, so that linesInFlight sees its connections.
type holdingListener struct {
	net.Listener
	holding chan struct{} // receives a value when a Read starts to hold its error
	release chan struct{} // closed by the test: every held Read returns
}

func holdLines(ln net.Listener) *holdingListener {
	return &holdingListener{
		Listener: watchLines(ln),
		holding:  make(chan struct{}, 1),
		release:  make(chan struct{}),
	}
}

func (l *holdingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &heldConn{watchedConn: conn.(*watchedConn), l: l}, nil
}

type heldConn struct {
	*watchedConn
	l *holdingListener
}

func (c *heldConn) Read(p []byte) (int, error) {
	n, err := c.watchedConn.Read(p)
	if errors.Is(err, net.ErrClosed) {
		select {
		case c.l.holding <- struct{}{}:
		default: // Told already.
		}
		// Bounded, so that a test that fails half-way still ends.
		timer := time.NewTimer(2 * wait)
		defer timer.Stop()
		select {
		case <-c.l.release:
		case <-timer.C:
		}
	}
	return n, err
}

func TestStep2_WaitsForTheConnectionsItClosesAfterTheGracePeriod(t *testing.T) {
	requireShutdown(t)
	held := holdLines(listenTCP(t))
	release := sync.OnceFunc(func() { close(held.release) })
	defer release() // before the cleanups, which wait for every goroutine
	s := startServer(t, &Server{}, held)
	stuck := dial(t, s.ln.Addr())
	stuck.write(t, "a line that never ends")
	require.Truef(t, s.serve.eventually(t, func() bool { return s.linesInFlight() == 1 }),
		"test setup: the server did not read the line within %s", wait)

	const grace = 200 * time.Millisecond
	shut := s.shutdown(t, grace)
	// The grace period ends, Shutdown closes the connection; its goroutine
	// is held in Read, unable to return, until the test releases it.
	timer := time.NewTimer(grace + wait)
	defer timer.Stop()
	select {
	case <-held.holding:
	case <-timer.C:
		t.Fatalf("the grace period ended %s ago, and the connection with a line in flight was still open (%s). When ctx is done, close every connection left with s.closeConns(). (README.md, Step 2)",
			wait, shut.returned())
	}
	// Shutdown must not return while that goroutine runs. A Shutdown that
	// does not wait returns at once: a second is plenty, even on a busy machine.
	early := shut.finished(wait / 2)
	release()
	if early {
		t.Fatalf("the grace period ended and Shutdown returned (%v) while the goroutine of the connection it had just closed was still running. After s.closeConns(), wait for the channel that says every goroutine has returned, then return ctx.Err(). (README.md, Step 2)", shut.err)
	}
	requireReturned(t, shut, wait,
		"When ctx is done, close every connection left with s.closeConns(), wait for their goroutines, and return ctx.Err().")
	require.ErrorIsf(t, shut.err, context.DeadlineExceeded,
		"the grace period ran out with a line still in flight: Shutdown must return ctx.Err(), got %v. (README.md, Step 2)", shut.err)
}

func TestStep2_ServeAfterShutdownReturnsAtOnce(t *testing.T) {
	srv := &Server{}
	err := srv.Shutdown(context.Background())
	requireDone(t, 2, "Shutdown", err)
	require.NoError(t, err, "Shutdown of a server with nothing to stop must return nil")
	s := startServer(t, srv, listenTCP(t))
	require.Truef(t, s.serve.finished(wait), "Serve was called after Shutdown and had not returned %s later", wait)
	require.ErrorIs(t, s.serve.err, ErrServerClosed,
		"Serve after Shutdown must return ErrServerClosed at once: s.addListener reports false then. (README.md, Step 1)")
}

func TestStep2_LeavesNoGoroutineBehind(t *testing.T) {
	requireShutdown(t)
	before := goleak.IgnoreCurrent()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &Server{}
	serve := start(1, "Serve", func() error { return srv.Serve(ln) })
	var readers sync.WaitGroup
	t.Cleanup(func() { // In case the test fails half-way.
		ln.Close()
		srv.closeConns()
		serve.finished(wait)
		readers.Wait()
	})
	clients := make([]*client, 20)
	for i := range clients {
		clients[i] = dial(t, ln.Addr())
		serve.expectEcho(t, clients[i], "x\n", "Serve must accept the client and run c.serve() for it.")
	}

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	shut := start(2, "Shutdown", func() error { return srv.Shutdown(ctx) })
	for _, c := range clients {
		readers.Add(1)
		go func() {
			defer readers.Done()
			c.readToEOF() // and hang up, as the server asks
		}()
	}
	requireReturned(t, shut, wait, "Twenty idle clients: it should return almost at once.")
	require.True(t, serve.finished(wait), "Serve did not return after Shutdown")
	readers.Wait()
	if err := goleak.Find(before); err != nil {
		t.Fatalf("after Shutdown returned, goroutines were left running: %v\nShutdown must wait until every connection's goroutine has returned (s.handlers). (README.md, Step 2)", err)
	}
}
