package goroutines

import "context"

// Shutdown stops the server gracefully, in the manner of net/http's
// Server.Shutdown. It closes the listeners, so Serve returns ErrServerClosed
// and new clients are refused; it wakes every connection's goroutine, so that
// a connection with no line in flight is closed now, and one in the middle of
// a line reads on until that line ends, echoes it and is closed; then it
// waits for every connection's goroutine to return, and returns nil. If ctx
// ends first (the grace period is over), it closes every connection left,
// waits for their goroutines, and returns ctx.Err().
//
// Step 2. Under s.mu: set s.inShutdown, Close each listener in s.listeners,
// call wake on each conn in s.conns. Then wait for s.handlers in a goroutine
// that closes a channel, and select on that channel and ctx.Done(); when ctx
// wins, s.closeConns() and still wait. See README.md, "Step 2".
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.inShutdown.Store(true)
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.conns {
		c.wake()
	}
	s.mu.Unlock()

	// A WaitGroup cannot be selected on: turn its Wait into a channel.
	done := make(chan struct{})
	go func() {
		s.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		n := s.closeConns()
		s.logf("grace period over: closed the %d connections still open", n)
		<-done // Closed connections end their goroutines at once.
		return ctx.Err()
	}
}
