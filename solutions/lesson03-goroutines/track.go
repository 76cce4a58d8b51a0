package goroutines

// The server's bookkeeping: which listeners and connections are open, so that
// Shutdown can close and wake them, and how many connection goroutines are
// still running, so that Shutdown can wait for them. This file is complete.

import (
	"fmt"
	"net"
	"time"
)

// shuttingDown reports whether Shutdown has begun.
func (s *Server) shuttingDown() bool { return s.inShutdown.Load() }

// addListener records ln so that Shutdown can close it. It reports false,
// and records nothing, once Shutdown has begun.
func (s *Server) addListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[ln] = struct{}{}
	return true
}

// removeListener forgets ln when Serve returns.
func (s *Server) removeListener(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, ln)
}

// newConn records a freshly accepted connection and counts its goroutine as
// running, before that goroutine starts, so that Shutdown waits for it. Once
// Shutdown has begun it closes rw instead and returns nil.
func (s *Server) newConn(rw net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		rw.Close()
		return nil
	}
	maxLine := s.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	c := &conn{srv: s, lines: lineConn{Conn: rw, maxLine: maxLine}}
	if s.Verbose {
		c.lines.received = func(line []byte) {
			// A 64 KiB line would flood the log: show its start and its size.
			if len(line) > 64 {
				s.logf("received: %q... (%d bytes)", line[:64], len(line))
				return
			}
			s.logf("received: %q", line)
		}
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.handlers.Add(1)
	return c
}

// forget is the last thing a connection's goroutine does, after c.serve has
// closed the connection.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.handlers.Done()
}

// closeConns closes every open connection at once, whatever it is doing, and
// returns how many it closed: the end of the grace period.
func (s *Server) closeConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.lines.Close()
	}
	return len(s.conns)
}

// pause waits d between two Accept attempts (step 4). Tests replace it with
// s.sleep so that they need not wait.
func (s *Server) pause(d time.Duration) {
	if s.sleep != nil {
		s.sleep(d)
		return
	}
	time.Sleep(d)
}

// logf writes one line to s.Log, if there is one. Writes to an io.Writer may
// come from many goroutines at once: os.Stdout takes each whole, and tests
// use a writer guarded by a mutex.
func (s *Server) logf(format string, args ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, format+"\n", args...)
	}
}
