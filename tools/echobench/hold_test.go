package main

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestHoldKeepsConnectionsAndCountsEchoes(t *testing.T) {
	addr := startTestServer(t, true, lineEcho)
	// The test process is the server here: its memory grows with the
	// client's connections too, so only check that it was read.
	cfg := holdConfig{Addr: addr, Pid: os.Getpid(), Conns: 50, Size: 16, Settle: 10 * time.Millisecond}
	r, err := hold(testContext(t), cfg, nil)
	if err != nil {
		t.Fatalf("hold 50 connections at %s: %v", addr, err)
	}
	if r.Held != 50 || r.Echoed != 50 || r.Errors != 0 {
		t.Fatalf("held %d, echoed %d, %d errors (first: %s); want 50, 50, 0", r.Held, r.Echoed, r.Errors, r.FirstError)
	}
	if runtime.GOOS == "linux" && (r.RSSBeforeKB <= 0 || r.RSSAfterKB <= 0 || r.Threads <= 0) {
		t.Fatalf("on Linux the memory of pid %d was not read: RSS %d -> %d KiB, %d threads", os.Getpid(), r.RSSBeforeKB, r.RSSAfterKB, r.Threads)
	}
}

func TestHoldCountsConnectionsAOneAtATimeServerNeverAnswers(t *testing.T) {
	addr := startTestServer(t, false, rawEcho)
	r, err := hold(testContext(t), holdConfig{Addr: addr, Conns: 3, Size: 8, Settle: time.Millisecond, EchoTimeout: 300 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Held != 3 || r.Echoed != 1 || r.BytesPerConn != -1 {
		t.Fatalf("held %d, echoed %d, %.0f bytes per connection; want 3 held, 1 echoed (one client at a time), memory unknown (-1) without a pid",
			r.Held, r.Echoed, r.BytesPerConn)
	}
}
