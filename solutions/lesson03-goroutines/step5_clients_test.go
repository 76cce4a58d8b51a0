package goroutines

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 5: SendMany runs N client connections at once, on errgroup.

// sendMany runs SendMany in the background and waits for it a little longer
// than its own timeout, so that a SendMany that hangs fails the test.
func sendMany(t *testing.T, addr net.Addr, conns int, messages []string, timeout time.Duration) (Summary, error) {
	t.Helper()
	var sum Summary
	var err error
	r := start(5, "SendMany", func() error {
		sum, err = SendMany(context.Background(), addr.String(), conns, messages, timeout)
		return err
	})
	if !r.finished(timeout + wait) {
		t.Fatalf("SendMany(%d connections) had not returned after %s. (README.md, Step 5)", conns, timeout+wait)
	}
	requireDone(t, 5, "SendMany", err)
	return sum, err
}

// barrier holds every connection's first echo until n connections are open
// at once: a client that opens them one after another never gets an answer.
type barrier struct {
	mu      sync.Mutex
	n, open int
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) talk(conn net.Conn) {
	b.mu.Lock()
	b.open++
	if b.open == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		echoLinesPeer(conn)
	case <-time.After(wait):
	}
}

func TestStep5_RunsAllConnectionsAtOnce(t *testing.T) {
	const n = 10
	peer := startPeer(t, newBarrier(n).talk)
	sum, err := sendMany(t, peer.Addr(), n, []string{"ping", "pong"}, wait)
	require.NoErrorf(t, err,
		"the test server answers only once %d connections are open at once. Start one goroutine per connection with g.Go, and call g.Wait only after the loop. (README.md, Step 5)", n)
	require.Equalf(t, Summary{Conns: n, OK: n, Echoes: 2 * n, Elapsed: sum.Elapsed}, sum,
		"the summary must count the connections, those that ended well (OK) and the matching echoes; got %s. (README.md, Step 5)", sum)
}

func TestStep5_ReportsAWrongEchoAndStopsTheOthers(t *testing.T) {
	var mu sync.Mutex
	talks := 0
	peer := startPeer(t, func(conn net.Conn) {
		mu.Lock()
		talks++
		liar := talks == 3
		mu.Unlock()
		if !liar {
			// The honest connections never answer: only cancellation ends them.
			io.Copy(io.Discard, conn)
			return
		}
		line, _ := bufio.NewReader(conn).ReadString('\n')
		io.WriteString(conn, strings.ToUpper(line))
	})

	began := time.Now()
	sum, err := sendMany(t, peer.Addr(), 5, []string{"hello"}, 10*time.Second)
	require.Errorf(t, err, "one connection got \"HELLO\" back for \"hello\": SendMany must compare each echo with its message and return an error. (README.md, Step 5)")
	require.Containsf(t, err.Error(), `"HELLO"`, "the error must say what came back, quoted: connection N: sent \"hello\", got back \"HELLO\". (README.md, Step 5)")
	require.Lessf(t, time.Since(began), wait,
		"after the wrong echo, SendMany took %s to return: the other connections must stop at once. Use errgroup.WithContext and pass its ctx to Send. (README.md, Step 5)", time.Since(began))
	require.Equalf(t, 0, sum.OK, "no connection ended well, yet the summary says %s: OK counts only connections whose Send returned no error and whose every echo matched. (README.md, Step 5)", sum)
	require.Equalf(t, 5, sum.Conns, "Conns counts every connection attempted: %s. (README.md, Step 5)", sum)
}

func TestStep5_ReportsAMissingEcho(t *testing.T) {
	peer := startPeer(t, func(conn net.Conn) {
		bufio.NewReader(conn).ReadString('\n') // Read the line; answer nothing; close.
	})
	sum, err := sendMany(t, peer.Addr(), 3, []string{"anyone there?"}, wait)
	require.Errorf(t, err, "the server closed every connection without an echo: SendMany must return an error. (README.md, Step 5)")
	require.Equalf(t, 0, sum.Echoes, "no echo came back, yet the summary says %s. (README.md, Step 5)", sum)
}

func TestStep5_AgainstTheServer(t *testing.T) {
	_, err := SendMany(context.Background(), "127.0.0.1:0", 0, nil, wait)
	requireDone(t, 5, "SendMany", err)
	s := startServer(t, &Server{}, listenTCP(t))
	c := dial(t, s.ln.Addr())
	s.serve.expectEcho(t, c, "ready?\n", "Serve must accept the client and run c.serve() for it.")
	sum, err := sendMany(t, s.ln.Addr(), 50, []string{"one", "two", "three"}, wait)
	require.NoError(t, err, "50 connections at once to this lesson's server")
	require.Equal(t, 50, sum.OK, "every connection must end well: %s", sum)
	require.Equal(t, 150, sum.Echoes, "three echoes per connection: %s", sum)
}
