package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"
)

func TestPingPongMeasuresALineEchoServer(t *testing.T) {
	addr := startTestServer(t, true, lineEcho)
	cfg := pingPongConfig{Addr: addr, Conns: 5, Size: 64, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond}
	r, err := pingPong(testContext(t), cfg, nil)
	if err != nil {
		t.Fatalf("ping-pong against a line-echo server at %s: %v", addr, err)
	}
	if r.Messages == 0 || r.PerSec <= 0 {
		t.Fatalf("5 connections for 300ms counted %d messages (%.0f/s); want some", r.Messages, r.PerSec)
	}
	if r.Errors != 0 || r.Served != 5 {
		t.Fatalf("served %d of 5 with %d errors (first: %s); want 5 and 0", r.Served, r.Errors, r.FirstError)
	}
	if !(0 < r.P50 && r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max) {
		t.Fatalf("percentiles out of order: p50 %v, p90 %v, p99 %v, max %v µs", r.P50, r.P90, r.P99, r.Max)
	}
	if r.ServerCPU != -1 {
		t.Errorf("server CPU per message is %v with no pid; want -1 (unknown)", r.ServerCPU)
	}
}

func TestPingPongShowsThatAOneAtATimeServerServesOneClient(t *testing.T) {
	addr := startTestServer(t, false, rawEcho)
	cfg := pingPongConfig{Addr: addr, Conns: 4, Size: 32, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond}
	began := time.Now()
	r, err := pingPong(testContext(t), cfg, nil)
	if err != nil {
		t.Fatalf("ping-pong against a one-at-a-time server: %v", err)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("a 350ms run took %v: waiting connections must not hold up the end of the run", took)
	}
	if r.Served != 1 || r.Errors != 0 || r.Messages == 0 {
		t.Fatalf("served %d of 4, %d messages, %d errors (first: %s); want 1 served, some messages, no errors: waiting is not an error",
			r.Served, r.Messages, r.Errors, r.FirstError)
	}
}

func TestPingPongCountsWrongEchoes(t *testing.T) {
	addr := startTestServer(t, true, func(c net.Conn) {
		buf := make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			c.Write(bytes.ToUpper(buf[:n]))
		}
	})
	cfg := pingPongConfig{Addr: addr, Conns: 2, Size: 20, Duration: 200 * time.Millisecond, Warmup: 10 * time.Millisecond}
	r, err := pingPong(testContext(t), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != 2 || !strings.Contains(r.FirstError, "got back") {
		t.Fatalf("a server that upper-cases the echo gave %d errors (first: %q); want 2 (one per connection) naming what came back",
			r.Errors, r.FirstError)
	}
}

func TestPingPongStopsWhenCancelled(t *testing.T) {
	addr := startTestServer(t, false, rawEcho)
	ctx, cancel := testContextWithCancel(t)
	time.AfterFunc(200*time.Millisecond, cancel)
	began := time.Now()
	_, err := pingPong(ctx, pingPongConfig{Addr: addr, Conns: 3, Size: 8, Duration: 30 * time.Second, Warmup: 10 * time.Millisecond}, nil)
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	if took := time.Since(began); took > wait {
		t.Fatalf("cancelled after 200ms, the run returned after %v", took)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	sorted := []uint32{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000}
	for _, c := range []struct {
		p    float64
		want float64
	}{{0.5, 5}, {0.9, 9}, {0.99, 10}, {1, 10}, {0, 1}} {
		if got := percentileUS(sorted, c.p); got != c.want {
			t.Errorf("percentile %v of 1..10 µs = %v; want %v", c.p, got, c.want)
		}
	}
	if got := percentileUS(nil, 0.5); got != 0 {
		t.Errorf("percentile of no samples = %v; want 0", got)
	}
}

func TestStampMakesEveryLineDifferent(t *testing.T) {
	a, b := newLine(20), newLine(20)
	stamp(a, 1)
	stamp(b, 2)
	if bytes.Equal(a, b) || a[19] != '\n' || bytes.Count(a, []byte("\n")) != 1 {
		t.Fatalf("lines 1 and 2: %q and %q; want different lines, each with one \\n at the end", a, b)
	}
	one := newLine(1)
	stamp(one, 7)
	if string(one) != "\n" {
		t.Fatalf("a 1-byte line is %q; want %q", one, "\n")
	}
}

func TestDiallingGivesUpOnAServerThatIsGone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // Nothing listens there now: every dial is refused.
	began := time.Now()
	failed, firstErr := dialAll(testContext(t), addr, 5000, func(int, net.Conn) { t.Error("a dial to a closed port succeeded") })
	if failed != 5000 || firstErr == nil {
		t.Fatalf("5000 dials to a closed port: %d failed, first error %v; want 5000 and an error", failed, firstErr)
	}
	if took := time.Since(began); took > wait {
		t.Fatalf("giving up took %v; want it to stop after the first %d failures", took, dialParallel)
	}
}
