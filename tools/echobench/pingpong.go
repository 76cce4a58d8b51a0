package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// pingPongConfig describes one ping-pong run.
type pingPongConfig struct {
	Addr     string
	Pid      int // the server's pid, for its CPU time; 0 if unknown
	Conns    int
	Size     int
	Duration time.Duration // measured
	Warmup   time.Duration // not measured: connections dialled, caches warm
}

// PingPongResult is what one ping-pong run measured.
type PingPongResult struct {
	Mode     string  `json:"mode"`
	Addr     string  `json:"addr"`
	Conns    int     `json:"conns"`
	Size     int     `json:"size"`
	Seconds  float64 `json:"seconds"`
	Messages int64   `json:"messages"`
	PerSec   float64 `json:"messages_per_second"`
	// Latency of one round trip (write a line, read its echo), in µs.
	P50 float64 `json:"p50_us"`
	P90 float64 `json:"p90_us"`
	P99 float64 `json:"p99_us"`
	Max float64 `json:"max_us"`
	// Served counts connections that got at least one echo; the others
	// waited the whole run (a server that serves one client at a time).
	Served int `json:"served"`
	// Errors counts failed dials, reads and writes, and wrong echoes.
	Errors     int64  `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// StoppedAfter is set when the server stopped answering during the
	// run: the seconds into the measured window of the last echo (0 if
	// none came in it). PerSec then counts only the time it answered.
	StoppedAfter *float64 `json:"stopped_answering_after_s,omitempty"`
	// ServerCPU is the server's CPU time per message in µs, when its pid is
	// known (Linux); -1 otherwise.
	ServerCPU float64 `json:"server_cpu_us_per_message"`
}

// Run phases: every connection runs through all three.
const (
	warmingUp int32 = iota
	measuring
	stopping
)

// pingPong runs cfg.Conns connections against cfg.Addr. Each one writes a
// line, waits for the whole echo, checks it and writes the next, until the
// measured window ends; only round trips completed inside the window count.
// progress, if not nil, is called about four times a second.
func pingPong(ctx context.Context, cfg pingPongConfig, progress func(string)) (*PingPongResult, error) {
	if err := checkLoopback(cfg.Addr); err != nil {
		return nil, err
	}
	var (
		phase    atomic.Int32
		total    atomic.Int64 // round trips in the window, for the progress line
		errCount atomic.Int64
		errOnce  sync.Once
		firstErr string
		mu       sync.Mutex
		conns    = make([]net.Conn, cfg.Conns) // nil where the dial failed
		answered = make([]atomic.Bool, cfg.Conns)
		samples  = make([][]uint32, cfg.Conns) // latencies in ns, per connection
		maxLat   = make([]time.Duration, cfg.Conns)
		served   atomic.Int64
		lastEcho atomic.Int64 // when the latest echo arrived, in Unix ns
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	fail := func(err error) {
		errCount.Add(1)
		errOnce.Do(func() { firstErr = err.Error() })
	}
	// Whatever ends the run (the window, Ctrl-C, an error), closing every
	// connection unblocks every goroutine still waiting for an echo.
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}
	// closeWaiting ends the wait of connections the server never answered.
	closeWaiting := func() {
		mu.Lock()
		defer mu.Unlock()
		for i, c := range conns {
			if c != nil && !answered[i].Load() {
				c.Close()
			}
		}
	}
	stopOnCancel := context.AfterFunc(ctx, closeAll)
	defer stopOnCancel()

	failedDials, dialErr := dialAll(ctx, cfg.Addr, cfg.Conns, func(i int, c net.Conn) {
		mu.Lock()
		conns[i] = c
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			line, echo := newLine(cfg.Size), make([]byte, cfg.Size)
			local := make([]uint32, 0, 1024)
			got := false
			<-start
			for seq := uint64(1); ; seq++ {
				p := phase.Load()
				if p == stopping {
					break
				}
				stamp(line, seq)
				t0 := time.Now()
				_, err := c.Write(line)
				if err == nil {
					_, err = io.ReadFull(c, echo)
				}
				lat := time.Since(t0)
				if err != nil {
					if phase.Load() != stopping && ctx.Err() == nil {
						fail(err)
					}
					break
				}
				if !bytes.Equal(echo, line) {
					fail(fmt.Errorf("sent %q, got back %q", line, echo))
					break
				}
				lastEcho.Store(time.Now().UnixNano())
				if !got {
					got = true
					answered[i].Store(true)
					served.Add(1)
				}
				// Count a round trip only if it began and ended in the window.
				if p == measuring && phase.Load() == measuring {
					local = append(local, uint32(min(lat, time.Duration(1<<32-1))))
					maxLat[i] = max(maxLat[i], lat)
					total.Add(1)
				}
			}
			samples[i] = local
		}()
	})
	close(start)
	// abort ends the run early: every goroutine stops before it returns.
	abort := func(err error) (*PingPongResult, error) {
		phase.Store(stopping)
		closeAll()
		wg.Wait()
		return nil, err
	}
	if ctx.Err() != nil {
		return abort(ctx.Err())
	}
	if failedDials == cfg.Conns {
		return abort(fmt.Errorf("no connection to %s: %v", cfg.Addr, dialErr))
	}
	for range failedDials {
		fail(fmt.Errorf("dial: %v", dialErr))
	}
	if !sleep(ctx, cfg.Warmup) {
		return abort(ctx.Err())
	}
	cpu0, cpuOK := procfs.CPUSeconds(cfg.Pid)
	phase.Store(measuring)
	t0 := time.Now()
	end := t0.Add(cfg.Duration)
	ticker := time.NewTicker(250 * time.Millisecond)
	for now := time.Now(); now.Before(end); now = time.Now() {
		select {
		case <-ctx.Done():
			ticker.Stop()
			return abort(ctx.Err())
		case <-ticker.C:
		case <-time.After(end.Sub(now)):
		}
		if progress != nil {
			elapsed := time.Since(t0)
			progress(fmt.Sprintf("ping-pong %d conns: %s of %s, %d messages, %s/s",
				cfg.Conns, roundDur(elapsed), cfg.Duration, total.Load(),
				si(float64(total.Load())/elapsed.Seconds())))
		}
	}
	ticker.Stop()
	phase.Store(stopping)
	elapsed := time.Since(t0)
	cpu1, cpu1OK := procfs.CPUSeconds(cfg.Pid)

	// Connections in the middle of a round trip finish it; connections that
	// were never served are still waiting for their first echo: closing
	// their sockets ends the wait.
	closeWaiting()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		closeAll()
		<-done
	}
	closeAll()

	var all []uint32
	var maxAll time.Duration
	for i := range samples {
		all = append(all, samples[i]...)
		maxAll = max(maxAll, maxLat[i])
	}
	slices.Sort(all)
	r := &PingPongResult{
		Mode: "pingpong", Addr: cfg.Addr, Conns: cfg.Conns, Size: cfg.Size,
		Seconds: elapsed.Seconds(), Messages: int64(len(all)),
		PerSec: float64(len(all)) / elapsed.Seconds(),
		P50:    percentileUS(all, 0.50), P90: percentileUS(all, 0.90), P99: percentileUS(all, 0.99),
		Max:    float64(maxAll) / float64(time.Microsecond),
		Served: int(served.Load()), Errors: errCount.Load(), FirstError: firstErr,
		ServerCPU: -1,
	}
	if r.Errors > 0 {
		r.StoppedAfter = stoppedAnswering(t0, time.Unix(0, lastEcho.Load()), elapsed)
		if r.StoppedAfter != nil && *r.StoppedAfter > 0 {
			r.PerSec = float64(len(all)) / *r.StoppedAfter
		}
	}
	if cfg.Pid > 0 && cpuOK && cpu1OK && r.Messages > 0 {
		r.ServerCPU = (cpu1 - cpu0) * 1e6 / float64(r.Messages)
	}
	return r, nil
}

// stoppedAnswering decides, for a run with errors, whether the server
// stopped answering: no echo in the last tenth of the window (at least
// 250ms). It returns the seconds into the window of the last echo, or nil
// if the server answered to the end.
func stoppedAnswering(windowStart, lastEcho time.Time, window time.Duration) *float64 {
	quiet := max(window/10, 250*time.Millisecond)
	at := lastEcho.Sub(windowStart)
	if at > window-quiet {
		return nil
	}
	seconds := max(at, 0).Seconds()
	return &seconds
}

// percentileUS returns the p-th quantile of sorted latencies (ns) in µs,
// by the nearest-rank method; 0 when there are none.
func percentileUS(sorted []uint32, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p*float64(len(sorted))+0.999999) - 1 // ceil(p·n) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return float64(sorted[rank]) / 1e3
}

// sleep waits for d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
