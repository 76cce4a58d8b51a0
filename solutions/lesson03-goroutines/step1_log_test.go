package goroutines

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 1: a log that nobody reads must not stop the server.

// stuckWriter is a standard output nobody reads: every Write waits until
// unstick is called, then goes to log.
type stuckWriter struct {
	stuck chan struct{}
	once  sync.Once
	log   logBuffer
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	<-w.stuck
	return w.log.Write(p)
}

func (w *stuckWriter) unstick() { w.once.Do(func() { close(w.stuck) }) }

// flush waits, at most wait, for q to write every line it holds.
func flush(q *LogQueue) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	q.Flush(ctx.Done())
}

// handlersDone waits, at most d, until every connection goroutine of srv
// has returned.
func handlersDone(srv *Server, d time.Duration) {
	done := make(chan struct{})
	go func() {
		srv.handlers.Wait()
		close(done)
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
}

func TestStep1_KeepsServingWhenNobodyReadsTheLog(t *testing.T) {
	out := &stuckWriter{stuck: make(chan struct{})}
	log := NewLogQueue(out, 8)
	srv := &Server{Log: log, Verbose: true}
	ln := listenTCP(t)
	serve := start(1, "Serve", func() error { return srv.Serve(ln) })
	t.Cleanup(func() {
		out.unstick() // whatever happened, let the log's writer finish
		// The connections first, and wait for their goroutines, then the
		// listener: a goroutine that still uses the connection variable of
		// Serve's loop must not find there what a failed Accept left (nil),
		// or the test binary panics before it can say which step failed.
		srv.closeConns()
		handlersDone(srv, wait)
		ln.Close()
		serve.finished(wait)
		flush(log)
	})

	// Each client is logged as it connects, and each line with Verbose:
	// far more than the queue holds while the log is stuck.
	for i := range 20 {
		c := dial(t, ln.Addr())
		serve.expectEcho(t, c, fmt.Sprintf("line %d\n", i),
			"The log's writer is stuck, and Server.Log is a LogQueue: the server must go on accepting and echoing.")
	}

	out.unstick()
	flush(log)
	require.Containsf(t, out.log.String(), "connection from",
		"the lines that fit in the queue are written once the log is read again. The log was:\n%s", out.log.String())
	require.Containsf(t, out.log.String(), "lines dropped",
		"the lines that did not fit in the queue are counted, and the count is logged once the log is read again. The log was:\n%s", out.log.String())
}
