//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"strings"
	"sync"
	"testing"
)

// TestLogQueueDropsWritesAfterClose checks the given logQueue: a line
// written after close is dropped and counted, never a panic ("send on
// closed channel"), even when several goroutines write while it closes.
// Run it with -race.
func TestLogQueueDropsWritesAfterClose(t *testing.T) {
	var out logBuffer
	q := newLogQueue(&out)
	q.Write([]byte("before close\n"))

	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				q.Write([]byte("racing close\n"))
			}
		}()
	}
	q.close()
	wg.Wait()

	if n, err := q.Write([]byte("after close\n")); n != len("after close\n") || err != nil {
		t.Fatalf("Write after close returned (%d, %v); want (%d, nil): a log must never fail the server", n, err, len("after close\n"))
	}
	q.close() // A second close does nothing.
	q.mu.Lock()
	dropped := q.dropped
	q.mu.Unlock()
	if dropped == 0 {
		t.Fatalf("after close, Write dropped %d lines; want at least 1 counted", dropped)
	}
	if got := out.String(); !strings.HasPrefix(got, "before close\n") || strings.Contains(got, "after close") {
		t.Fatalf("the log holds %q; want it to start with %q and not hold the line written after close", got, "before close\n")
	}
}
