package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// echoTimeout bounds the one echo each held connection waits for. A server
// that serves one client at a time never answers the others: they time out
// and are counted as not echoed.
const echoTimeout = 5 * time.Second

// holdConfig describes one hold run.
type holdConfig struct {
	Addr   string
	Pid    int // the server's pid, for its memory; 0 if unknown
	Conns  int
	Size   int
	Settle time.Duration // wait before reading the server's memory
	For    time.Duration // keep holding this long after measuring
	// EchoTimeout bounds the wait for each echo (default echoTimeout).
	EchoTimeout time.Duration
	// OnHeld, if set, receives the result before the -for wait, so that
	// it can be shown while the connections are still open.
	OnHeld func(*HoldResult)
}

// HoldResult is what one hold run measured. Memory figures are -1 when the
// server's pid is unknown or there is no /proc.
type HoldResult struct {
	Mode    string  `json:"mode"`
	Addr    string  `json:"addr"`
	Conns   int     `json:"conns"`
	Held    int     `json:"held"`    // connections open at the end
	Echoed  int     `json:"echoed"`  // of those, how many got their echo
	Seconds float64 `json:"seconds"` // to open all and get every echo
	Errors  int64   `json:"errors"`
	// FirstError is the first dial, write or read error.
	FirstError string `json:"first_error,omitempty"`
	// The server's resident memory before the first connection and after
	// the last echo, in KiB, and the difference per held connection.
	RSSBeforeKB  int64   `json:"rss_before_kb"`
	RSSAfterKB   int64   `json:"rss_after_kb"`
	BytesPerConn float64 `json:"bytes_per_conn"`
	Threads      int64   `json:"server_threads"`
}

// hold opens cfg.Conns connections, sends one line on each and waits for
// its echo, then reads how much the server's memory grew. The connections
// stay open (idle) until the measurement is taken, and cfg.For longer.
func hold(ctx context.Context, cfg holdConfig, progress func(string)) (*HoldResult, error) {
	if err := checkLoopback(cfg.Addr); err != nil {
		return nil, err
	}
	r := &HoldResult{Mode: "hold", Addr: cfg.Addr, Conns: cfg.Conns, RSSBeforeKB: -1, RSSAfterKB: -1, BytesPerConn: -1, Threads: -1}
	if kb, ok := procfs.StatusKB(cfg.Pid, "VmRSS"); ok && cfg.Pid > 0 {
		r.RSSBeforeKB = kb
	}

	var (
		mu       sync.Mutex
		conns    = make([]net.Conn, 0, cfg.Conns)
		opened   atomic.Int64
		echoed   atomic.Int64
		errCount atomic.Int64
		errOnce  sync.Once
	)
	fail := func(err error) {
		errCount.Add(1)
		errOnce.Do(func() { r.FirstError = err.Error() })
	}
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = conns[:0]
	}
	defer closeAll()
	stopOnCancel := context.AfterFunc(ctx, closeAll)
	defer stopOnCancel()

	stopProgress := every(250*time.Millisecond, func() {
		if progress != nil {
			progress(fmt.Sprintf("hold: %d of %d connections open, %d echoed", opened.Load(), cfg.Conns, echoed.Load()))
		}
	})
	t0 := time.Now()
	failedDials, dialErr := dialAll(ctx, cfg.Addr, cfg.Conns, func(_ int, c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
		opened.Add(1)
		line, echo := newLine(cfg.Size), make([]byte, cfg.Size)
		c.SetDeadline(time.Now().Add(cmp.Or(cfg.EchoTimeout, echoTimeout)))
		_, err := c.Write(line)
		if err == nil {
			_, err = io.ReadFull(c, echo)
		}
		switch {
		case err != nil:
			if ctx.Err() == nil {
				fail(err)
			}
		case string(echo) != string(line):
			fail(fmt.Errorf("sent %q, got back %q", line, echo))
		default:
			echoed.Add(1)
		}
		c.SetDeadline(time.Time{})
	})
	r.Seconds = time.Since(t0).Seconds()
	stopProgress()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for range failedDials {
		fail(fmt.Errorf("dial: %v", dialErr))
	}
	if failedDials == cfg.Conns {
		return nil, fmt.Errorf("no connection to %s: %v", cfg.Addr, dialErr)
	}
	if !sleep(ctx, cfg.Settle) {
		return nil, ctx.Err()
	}
	mu.Lock()
	r.Held = len(conns)
	mu.Unlock()
	r.Echoed = int(echoed.Load())
	r.Errors = errCount.Load()
	if kb, ok := procfs.StatusKB(cfg.Pid, "VmRSS"); ok && cfg.Pid > 0 {
		r.RSSAfterKB = kb
	}
	if n, ok := procfs.StatusKB(cfg.Pid, "Threads"); ok && cfg.Pid > 0 {
		r.Threads = n // Threads is a count, not kB, but reads the same way.
	}
	if r.RSSBeforeKB >= 0 && r.RSSAfterKB >= 0 && r.Held > 0 {
		r.BytesPerConn = float64(r.RSSAfterKB-r.RSSBeforeKB) * 1024 / float64(r.Held)
	}
	if cfg.OnHeld != nil {
		cfg.OnHeld(r)
	}
	if cfg.For > 0 {
		stopProgress := every(time.Second, func() {
			if progress != nil {
				progress(fmt.Sprintf("hold: %d connections held", r.Held))
			}
		})
		ok := sleep(ctx, cfg.For)
		stopProgress()
		if !ok {
			return nil, ctx.Err()
		}
	}
	return r, nil
}

// every calls f every d until the returned stop function is called.
func every(d time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f()
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
