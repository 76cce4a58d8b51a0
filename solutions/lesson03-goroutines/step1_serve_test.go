package goroutines

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Step 1: Serve gives each connection a goroutine of its own.

func TestStep1_EchoesLines(t *testing.T) {
	s := startServer(t, &Server{}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "Hello, world\n",
		"Serve must accept the client and run c.serve() for it.")
	s.serve.expectEcho(t, c, "second line\n", "After one line, the connection goes on: c.serve() loops until the client leaves.")
}

func TestStep1_ServesTheNextClientAfterOneLeaves(t *testing.T) {
	s := startServer(t, &Server{}, listenTCP(t))
	first := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, first, "first\n", "Serve must accept the client and run c.serve() for it.")
	first.closeWrite(t)
	rest, err := s.serve.read(t, first.readToEOF)
	if err != nil || rest != "" {
		t.Fatalf("the first client half-closed after its echo and read %q, then %v; want nothing more, then EOF (%s). (README.md, Step 1)",
			rest, err, s.serve.returned())
	}
	if !s.serve.eventually(t, func() bool { return s.openConns() == 0 }) {
		t.Fatalf("the first client has left, and %s later the server still counted it as open: the goroutine that serves a connection must end with s.forget(c), as in go func() { defer s.forget(c); ... }(), or Shutdown waits for it for ever. (README.md, Step 1)", wait)
	}
	second := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, second, "second\n", "After a client leaves, Serve goes on accepting the next.")
}

func TestStep1_ServesTwoClientsAtOnce(t *testing.T) {
	s := startServer(t, &Server{}, listenTCP(t))
	first := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, first, "first\n", "Serve must accept the client and run c.serve() for it.")

	// The first client stays connected, silent. Lesson 1's server would
	// be stuck serving it; this one must answer the second at once.
	second := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, second, "second\n",
		"The first client is still connected. Does Serve call c.serve() itself, and so wait for the first client to leave? Start a goroutine for each connection: go func() { ... }().")
	s.serve.expectEcho(t, first, "first, again\n", "The first client must still be served.")
}

func TestStep1_Serves200ClientsAtOnce(t *testing.T) {
	s := startServer(t, &Server{}, listenTCP(t))
	const n = 200
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, s.ln.Addr())
	}
	s.serve.expectEcho(t, clients[0], "first things first\n", "Serve must accept the client and run c.serve() for it.")
	// All 200 are connected; now each talks, from its own goroutine.
	var wg sync.WaitGroup
	failures := make(chan string, n)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line := fmt.Sprintf("client %d of %d\n", i+1, n)
			if _, err := c.Write([]byte(line)); err != nil {
				failures <- fmt.Sprintf("client %d: writing: %v", i+1, err)
				return
			}
			if got, err := c.readLine(); got != line {
				failures <- fmt.Sprintf("client %d: sent %q, got back %q (%v)", i+1, line, got, err)
			}
		}()
	}
	wg.Wait()
	close(failures)
	s.serve.checkNotDone(t)
	var all []string
	for f := range failures {
		all = append(all, f)
	}
	if len(all) > 0 {
		t.Fatalf("%d of %d clients connected at once were not echoed within %s (%s); the first: %s.\nEach connection needs its own goroutine, started as soon as it is accepted. (README.md, Step 1)",
			len(all), n, wait, s.serve.returned(), all[0])
	}
}

func TestStep1_LogsEachConnection(t *testing.T) {
	s := startServer(t, &Server{}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "hi\n", "Serve must accept the client and run c.serve() for it.")

	want := "connection from " + c.LocalAddr().String()
	require.Containsf(t, s.log.String(), want,
		`Serve must log each client as it accepts it: s.logf("connection from %%s", rw.RemoteAddr()). (README.md, Step 1) The log was:\n%s`, s.log)
	require.NotContainsf(t, s.log.String(), "received:",
		"without Verbose, the server must not log each line (a busy server would spend its time logging). (README.md, Step 1) The log was:\n%s", s.log)
}

func TestStep1_OneClientsErrorDoesNotStopTheServer(t *testing.T) {
	s := startServer(t, &Server{MaxLine: 16}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "hello\n", "Serve must accept the client and run c.serve() for it.")

	// One client resets in the middle of a line; another sends a line too long.
	rude := dial(t, s.ln.Addr())
	rude.write(t, "I will not wait for the ans")
	rude.Conn.(*net.TCPConn).SetLinger(0) // Close now sends a reset (RST).
	rude.Close()
	long := dial(t, s.ln.Addr())
	long.write(t, strings.Repeat("x", 40)+"\n")
	got, err := long.readToEOF()
	s.serve.checkNotDone(t)
	require.NoErrorf(t, err, "a client sent a line over MaxLine and read %q before the error %v", got, err)
	require.Equal(t, "error: line exceeds 16 bytes\n", got,
		"a line over MaxLine gets one error line, then the connection is closed (the given code in lines.go does it; Serve must run c.serve())")

	s.serve.expectEcho(t, c, "still there?\n", "Two clients failed; the server must go on serving others.")
	require.Falsef(t, s.serve.finished(0),
		"%s after a client's conversation failed. Log a connection's error and go on: one client must never stop the server. (README.md, Step 1)", s.serve.returned())
	require.Containsf(t, s.log.String(), "line exceeds 16 bytes",
		`the error that ended a conversation must be logged, with the client's address: s.logf("%%s: %%v", rw.RemoteAddr(), err). (README.md, Step 1) The log was:\n%s`, s.log)
}

func TestStep1_ReturnsNilWhenTheListenerIsClosed(t *testing.T) {
	ln := listenTCP(t)
	s := startServer(t, &Server{}, ln)
	c := dial(t, ln.Addr())
	s.serve.expectEcho(t, c, "one\n", "Serve must accept the client and run c.serve() for it.")
	ln.Close()

	require.Truef(t, s.serve.finished(wait),
		"the listener was closed and Serve had not returned %s later. Does Serve return when Accept fails? Or is Serve still inside c.serve() for the client that is still connected, waiting for it to leave? Start c.serve() with go. (README.md, Step 1)", wait)
	require.NoError(t, s.serve.err,
		"the listener was closed by its owner, not by Shutdown: when Accept's error is net.ErrClosed (errors.Is), return nil. (README.md, Step 1)")
	s.serve.expectEcho(t, c, "two\n",
		"Closing the listener stops new clients only: the connected client's goroutine must go on.")
}
