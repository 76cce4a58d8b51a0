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
	// TODO(step 2): under s.mu, set s.inShutdown, close the listeners and wake
	// the connections; then wait for s.handlers or ctx.Done(), whichever
	// comes first; if ctx wins, s.closeConns(), wait, and return ctx.Err().
	return notImplemented("step 2: Shutdown")
}
