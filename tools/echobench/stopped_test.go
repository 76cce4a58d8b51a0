package main

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"
	"time"
)

// dyingLineEcho echoes lines like lessons 2 to 4 until dieAt, then closes
// every connection it is given: a server that crashed in the middle of a
// run.
func dyingLineEcho(dieAt time.Time) func(net.Conn) {
	return func(c net.Conn) {
		c.SetReadDeadline(dieAt)
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil || time.Now().After(dieAt) {
				return
			}
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	}
}

func TestPingPongFailsAndSaysWhenTheServerStoppedAnswering(t *testing.T) {
	// 100ms of warm-up, then the server dies about 500ms into a 1.5s window.
	addr := startTestServer(t, true, dyingLineEcho(time.Now().Add(600*time.Millisecond)))
	var stdout, stderr bytes.Buffer
	code := run([]string{"pingpong", "-addr", addr, "-conns", "3", "-d", "1500ms", "-warmup", "100ms"}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("pingpong against a server that died mid-run exited %d; want 1 (errors under load fail the run)\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "stopped:   no echo after") {
		t.Errorf("the report does not say when the server stopped answering:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "errors under load") || !strings.Contains(stderr.String(), "the server stopped answering") {
		t.Errorf("standard error does not say why the run failed:\n%s", stderr.String())
	}
}

func TestPingPongCountsMessagesPerSecondWhileTheServerAnswered(t *testing.T) {
	addr := startTestServer(t, true, dyingLineEcho(time.Now().Add(600*time.Millisecond)))
	cfg := pingPongConfig{Addr: addr, Conns: 3, Size: 32, Duration: 1500 * time.Millisecond, Warmup: 100 * time.Millisecond}
	r, err := pingPong(testContext(t), cfg, nil)
	if err != nil {
		t.Fatalf("ping-pong against a server that died mid-run: %v", err)
	}
	if r.Errors == 0 || r.StoppedAfter == nil {
		t.Fatalf("a server that died about 0.5s into a 1.5s window: %d errors, stopped after %v; want errors, and when it stopped", r.Errors, r.StoppedAfter)
	}
	if s := *r.StoppedAfter; s <= 0 || s > 1.2 {
		t.Errorf("the server died about 0.5s into the window; the report says %.2fs", s)
	}
	if want := float64(r.Messages) / *r.StoppedAfter; r.Messages > 0 && r.PerSec != want {
		t.Errorf("%d messages in the %.2fs the server answered: %.0f/s reported, want %.0f/s (not averaged over the whole %.1fs window)",
			r.Messages, *r.StoppedAfter, r.PerSec, want, r.Seconds)
	}
}

func TestStoppedAnsweringOnlyWhenTheEndOfTheWindowWasQuiet(t *testing.T) {
	t0 := time.Now()
	if got := stoppedAnswering(t0, t0.Add(2950*time.Millisecond), 3*time.Second); got != nil {
		t.Errorf("an echo 50ms before the end of a 3s window: stopped after %v; want nil (it answered to the end)", *got)
	}
	if got := stoppedAnswering(t0, t0.Add(time.Second), 3*time.Second); got == nil || *got != 1 {
		t.Errorf("the last echo 1s into a 3s window: stopped after %v; want 1s", got)
	}
	if got := stoppedAnswering(t0, t0.Add(-time.Second), 3*time.Second); got == nil || *got != 0 {
		t.Errorf("the last echo before the window began: stopped after %v; want 0", got)
	}
}
