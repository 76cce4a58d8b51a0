package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
)

// progressLine shows one status line that rewrites itself (with \r) while
// a long run goes on. It is silent unless its output is a terminal, so that
// logs and pipes get only the results.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	width int // of the last line shown, to blank it out
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, live: isTerminal(w)}
}

// Show replaces the status line with s.
func (p *progressLine) Show(s string) {
	if p == nil || !p.live {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	const maxWidth = 100
	if len(s) > maxWidth {
		s = s[:maxWidth-1] + "…"
	}
	pad := max(0, p.width-len(s))
	fmt.Fprintf(p.w, "\r%s%s", s, strings.Repeat(" ", pad))
	p.width = len(s)
}

// Clear removes the status line, so that what is printed next starts on a
// clean line.
func (p *progressLine) Clear() {
	if p == nil || !p.live {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// isTerminal reports whether w is a terminal (a character device that is
// not /dev/null). Checked with the standard library only, on every system.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return false
	}
	return true
}

// si formats a rate with a k or M suffix: 123456 -> "123k".
func si(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case v >= 10e6:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 10e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// roundDur shortens a duration for display: 1.234567s -> 1.2s.
func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}

// latency formats a latency given in µs: "23µs", "1.4ms", "2.1s".
func latency(us float64) string {
	switch {
	case us <= 0:
		return "-"
	case us >= 1e6:
		return fmt.Sprintf("%.1fs", us/1e6)
	case us >= 10e3:
		return fmt.Sprintf("%.0fms", us/1e3)
	case us >= 1e3:
		return fmt.Sprintf("%.1fms", us/1e3)
	default:
		return fmt.Sprintf("%.0fµs", us)
	}
}

// bytesPerConn formats a per-connection memory figure.
func bytesPerConn(b float64) string {
	switch {
	case b < 0:
		return "-"
	case b >= 10*1024:
		return fmt.Sprintf("%.0f KiB", b/1024)
	case b >= 1024:
		return fmt.Sprintf("%.1f KiB", b/1024)
	default:
		return fmt.Sprintf("%.0f B", b)
	}
}

func secondsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
