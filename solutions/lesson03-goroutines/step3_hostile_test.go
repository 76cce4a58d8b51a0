package goroutines

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: limits that hold against clients that misbehave.

func TestStep3_IdleTimeoutAlsoClosesAClientThatNeverReads(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := startServer(t, &Server{IdleTimeout: idle}, limit(t, listenTCP(t), 1))

	// This client sends lines and never reads their echoes. The echoes fill
	// its receive buffer, then the server's send buffer; then the server's
	// Write blocks, where no read deadline reaches it.
	flood := dial(t, s.ln.Addr())
	flood.SetWriteDeadline(time.Now().Add(4 * wait))
	flooded := make(chan error, 1)
	go func() {
		chunk := []byte(strings.Repeat(strings.Repeat("x", 1023)+"\n", 64))
		for {
			if _, err := flood.Write(chunk); err != nil {
				flooded <- err
				return
			}
		}
	}()

	// With a limit of 1, the next client is served only once the server has
	// given up on the first.
	next := dial(t, s.ln.Addr())
	next.SetDeadline(time.Now().Add(3 * wait))
	next.write(t, "anyone home?\n")
	got, err := s.serve.read(t, next.readLine)
	require.NoErrorf(t, err,
		"a client sent lines without reading their echoes, and with -max-conns 1 the next client waited %s for its echo; got %q, then %v. IdleTimeout must bound a blocked Write too: a write deadline. (README.md, Step 3)",
		3*wait, got, err)
	require.Equal(t, "anyone home?\n", got)
	select {
	case err := <-flooded:
		require.Errorf(t, err, "the client that never reads must find its connection closed")
	case <-time.After(wait):
		t.Fatalf("the server serves the next client, yet the client that never reads could still write %s later", wait)
	}
	require.Truef(t, s.serve.eventually(t, func() bool { return strings.Contains(s.log.String(), "stopped reading") }),
		"closing a client that does not read is logged. The log was:\n%s", s.log)
}

// pipeListener hands out the server ends of net.Pipe connections, which
// cannot half-close.
type pipeListener struct {
	conns chan net.Conn
}

func (l *pipeListener) Accept() (net.Conn, error) {
	conn, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return conn, nil
}
func (l *pipeListener) Close() error   { return nil }
func (l *pipeListener) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "pipe"} }

func TestStep3_ALimitedConnThatCannotHalfCloseSaysSo(t *testing.T) {
	pipes := &pipeListener{conns: make(chan net.Conn, 1)}
	serverEnd, clientEnd := net.Pipe()
	t.Cleanup(func() { serverEnd.Close(); clientEnd.Close() })
	pipes.conns <- serverEnd
	ln := limit(t, pipes, 1)
	conn, err := ln.Accept()
	requireDone(t, 3, "limitListener.Accept", err)
	require.NoError(t, err)
	hc, ok := conn.(interface{ CloseWrite() error })
	require.True(t, ok, "a limitedConn offers CloseWrite, as a *net.TCPConn does")

	err = hc.CloseWrite()
	require.Truef(t, errors.Is(err, errors.ErrUnsupported),
		"CloseWrite on a connection that cannot half-close returned %v; want errors.ErrUnsupported, so that the caller falls back to a plain Close", err)
	// The connection must still be open: the caller decides what to do.
	clientEnd.SetDeadline(time.Now().Add(wait))
	conn.SetDeadline(time.Now().Add(wait))
	go conn.Write([]byte("still open\n"))
	buf := make([]byte, 64)
	n, err := clientEnd.Read(buf)
	require.NoErrorf(t, err, "after a CloseWrite that cannot half-close, the connection must stay open; reading from it: %v", err)
	require.Equal(t, "still open\n", string(buf[:n]))
}
