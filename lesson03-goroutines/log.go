package goroutines

// A log that never holds the server up. This file is complete.

import (
	"fmt"
	"io"
	"sync"
)

// LogQueue is an io.Writer for Server.Log that never blocks its caller.
//
// Writing to standard output can block: when it is a pipe that nobody reads
// (a script that read the "listening on" line and went on with its life),
// the pipe's buffer fills after about 64 KiB, and every later write waits.
// A server that logs from Serve and from each connection would then stop
// accepting and stop echoing, because of its log. LogQueue keeps up to max
// lines in memory and writes them to w from one goroutine of its own; when
// the queue is full it drops the line and counts it, and writes how many it
// dropped once w takes lines again.
type LogQueue struct {
	w   io.Writer
	max int

	mu      sync.Mutex
	lines   [][]byte
	dropped int
	writing bool          // a writer goroutine is running
	idle    chan struct{} // closed when the writer goroutine ends; nil while none runs
}

// NewLogQueue returns a LogQueue that writes to w and holds at most max lines
// that w has not taken yet.
func NewLogQueue(w io.Writer, max int) *LogQueue {
	return &LogQueue{w: w, max: max}
}

// Write queues a copy of p, or drops it if the queue is full. It never
// blocks on w, and never fails.
func (q *LogQueue) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.lines) >= q.max {
		q.dropped++
		return len(p), nil
	}
	q.lines = append(q.lines, append([]byte(nil), p...))
	if !q.writing {
		// The writer runs only while there is something to write, so an
		// idle server keeps no goroutine for its log.
		q.writing = true
		q.idle = make(chan struct{})
		go q.drain(q.idle)
	}
	return len(p), nil
}

// drain writes the queued lines to w, in order, until the queue is empty.
func (q *LogQueue) drain(idle chan struct{}) {
	defer close(idle)
	for {
		q.mu.Lock()
		lines, dropped := q.lines, q.dropped
		q.lines, q.dropped = nil, 0
		if len(lines) == 0 && dropped == 0 {
			q.writing = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		for _, line := range lines {
			q.w.Write(line)
		}
		if dropped > 0 {
			fmt.Fprintf(q.w, "log: %d lines dropped, the log was not read fast enough\n", dropped)
		}
	}
}

// Flush waits until every queued line is written, or until done is closed,
// whichever comes first. A program calls it before it exits, with a bound:
// a log nobody reads must not keep it from exiting either.
func (q *LogQueue) Flush(done <-chan struct{}) {
	for {
		q.mu.Lock()
		idle := q.idle
		writing := q.writing
		q.mu.Unlock()
		if !writing {
			return
		}
		select {
		case <-idle:
		case <-done:
			return
		}
	}
}
