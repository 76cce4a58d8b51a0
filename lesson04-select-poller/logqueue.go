package poller

import (
	"fmt"
	"io"
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
// once the writer catches up, or when the loop ends.
type logQueue struct {
	lines   chan []byte
	dropped uint64        // lines dropped since the last report; the loop's goroutine only
	done    chan struct{} // closed when the writer goroutine has returned
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
	expired := make(chan struct{})
	timer := time.AfterFunc(logFlushTimeout, func() { close(expired) })
	defer timer.Stop()
	if q.dropped > 0 {
		note := fmt.Appendf(nil, "log: %d lines dropped: nobody was reading the log\n", q.dropped)
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
