package poller

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// logQueue is the loop's log: an io.Writer that never blocks. Write copies
// the line into a bounded queue and returns at once; a goroutine of its own
// writes the queue to the real log.
//
// Why: writing to the log is I/O, and I/O can block. A server's stdout is
// often a pipe, and a pipe holds about 64 KiB: when whoever reads it stops
// reading (a script that only waited for "listening on"), the next write(2)
// sleeps until they read again. On the loop's goroutine that one sleep
// would stall every connection. So the loop only hands lines over; when the
// queue is full, the line is dropped and counted, and the count is logged
// once the writer catches up, or when the loop ends. A line written after
// close is dropped and counted too: a log must never crash a server.
type logQueue struct {
	lines chan []byte
	done  chan struct{} // closed when the writer goroutine has returned

	mu      sync.Mutex // guards dropped and closed, and sending on lines
	dropped uint64     // lines dropped since the last report
	closed  bool       // lines is closed (or about to be): Write only counts
}

// logQueueLines is how many lines may wait for the writer: about a second
// of "connection from" lines in a connect storm.
const logQueueLines = 4096

// logFlushTimeout is how long close waits for the writer to write what is
// queued: long enough for a healthy log, short enough that a log nobody
// reads does not hold up the end of Run.
const logFlushTimeout = time.Second

// newLogQueue starts the goroutine that writes to w.
func newLogQueue(w io.Writer) *logQueue {
	q := &logQueue{lines: make(chan []byte, logQueueLines), done: make(chan struct{})}
	go q.writeAll(w)
	return q
}

// Write queues a copy of p (the caller may reuse p) and never blocks.
func (q *logQueue) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		// Sending on a closed channel panics; the line is lost, not the server.
		q.dropped++
		return len(p), nil
	}
	if q.dropped > 0 && len(q.lines) < cap(q.lines)/2 {
		// The writer has caught up: say what it missed, once.
		note := fmt.Appendf(nil, "log: %d lines dropped: nobody was reading the log\n", q.dropped)
		select {
		case q.lines <- note:
			q.dropped = 0
		default:
		}
	}
	select {
	case q.lines <- append([]byte(nil), p...):
	default:
		q.dropped++
	}
	return len(p), nil
}

// writeAll writes each queued line to w, until close.
func (q *logQueue) writeAll(w io.Writer) {
	defer close(q.done)
	for line := range q.lines {
		w.Write(line)
	}
}

// close reports what was dropped, ends the queue, and waits up to
// logFlushTimeout for the writer to write the rest. If the log is blocked
// for good, the writer goroutine stays blocked in its write; the process is
// usually about to exit anyway.
func (q *logQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true // From here on Write only counts, so close is the only sender.
	dropped := q.dropped
	q.dropped = 0
	q.mu.Unlock()
	expired := make(chan struct{})
	timer := time.AfterFunc(logFlushTimeout, func() { close(expired) })
	defer timer.Stop()
	if dropped > 0 {
		note := fmt.Appendf(nil, "log: %d lines dropped: nobody was reading the log\n", dropped)
		select {
		case q.lines <- note:
		case <-expired:
		}
	}
	close(q.lines)
	select {
	case <-q.done:
	case <-expired:
	}
}
