package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// statusLine shows which check is running. On a terminal it is one line at
// the bottom, rewritten twice a second with the time the check has taken so
// far, and every outcome is printed above it; elsewhere (CI logs, a pipe) it
// prints one plain "run" line when a check starts.
type statusLine struct {
	out  io.Writer
	live bool
	fd   int

	mu    sync.Mutex
	name  string    // the running check, "" between checks
	since time.Time // when it started, or when the last check ended
	width int       // the width of the line on screen now, to erase it

	stop chan struct{}
	done chan struct{}
}

// newStatusLine writes to f, live when f is a terminal that can redraw a line.
func newStatusLine(f *os.File) *statusLine {
	s := &statusLine{out: f, fd: int(f.Fd()), since: time.Now()}
	s.live = term.IsTerminal(s.fd) && os.Getenv("TERM") != "dumb"
	if s.live {
		s.stop, s.done = make(chan struct{}), make(chan struct{})
		go s.tick()
	}
	return s
}

// running says that the check called name started at since.
func (s *statusLine) running(name string, since time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.name, s.since = name, since
	if !s.live {
		fmt.Fprintf(s.out, "run   %s\n", name)
		return
	}
	s.draw()
}

// print writes text (whole lines) above the status line.
func (s *statusLine) print(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.live {
		io.WriteString(s.out, text)
		return
	}
	s.erase()
	io.WriteString(s.out, text)
	s.name, s.since = "", time.Now()
	s.draw()
}

// finish removes the status line for good.
func (s *statusLine) finish() {
	if s == nil || !s.live {
		return
	}
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erase()
}

func (s *statusLine) tick() {
	defer close(s.done)
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			s.draw()
			s.mu.Unlock()
		}
	}
}

// draw rewrites the line in place. It pads with spaces instead of using an
// escape sequence to clear it, so it works on every terminal, Windows'
// console included, and cuts the text to the terminal's width so the line
// never wraps (a wrapped line cannot be rewritten with a carriage return).
func (s *statusLine) draw() {
	elapsed := time.Since(s.since).Truncate(time.Second)
	text := fmt.Sprintf("...   %s  %s", s.name, elapsed)
	if s.name == "" {
		text = fmt.Sprintf("...   %s since the last check ended", elapsed)
	}
	if cols, _, err := term.GetSize(s.fd); err == nil && cols > 1 && len([]rune(text)) >= cols {
		text = string([]rune(text)[:cols-1])
	}
	n := len([]rune(text))
	pad := max(0, s.width-n)
	fmt.Fprintf(s.out, "\r%s%s", text, strings.Repeat(" ", pad))
	s.width = n
}

// erase blanks the status line and leaves the cursor at its start.
func (s *statusLine) erase() {
	if s.width > 0 {
		fmt.Fprintf(s.out, "\r%s\r", strings.Repeat(" ", s.width))
		s.width = 0
	}
}
