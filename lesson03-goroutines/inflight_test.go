package goroutines

import (
	"bytes"
	"net"
	"sync/atomic"
)

// The server keeps no count of lines in flight: it needs none. The tests
// that must wait until the server holds half a line count it from outside,
// on the bytes the server's Reads return.

// watchLines wraps ln so that linesInFlight can see, for each connection the
// server accepts, whether its last Read ended in the middle of a line.
func watchLines(ln net.Listener) net.Listener { return &watchedListener{ln} }

type watchedListener struct{ net.Listener }

func (l *watchedListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{TCPConn: conn.(*net.TCPConn)}, nil
}

// watchedConn counts the bytes read since the last "\n". It embeds the
// *net.TCPConn, so the server's lingering close still finds CloseWrite.
type watchedConn struct {
	*net.TCPConn
	pending atomic.Int64
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.TCPConn.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		c.pending.Store(int64(n - i - 1))
	} else {
		c.pending.Add(int64(n))
	}
	return n, err
}

// pendingBytes counts the bytes read since the last "\n". A test's own
// wrapper around a watchedConn (embedding it) has it too.
func (c *watchedConn) pendingBytes() int64 { return c.pending.Load() }

// linesInFlight counts the connections whose server has read part of a line
// and not its "\n". The server must be serving a watchLines listener, or
// a listener that wraps one.
func (s *Server) linesInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if w, ok := c.lines.Conn.(interface{ pendingBytes() int64 }); ok && w.pendingBytes() > 0 {
			n++
		}
	}
	return n
}
