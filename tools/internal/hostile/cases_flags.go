package hostile

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// run is one finished run of a program.
type run struct {
	stdout, stderr *tailBuffer
	state          *os.ProcessState
	took           time.Duration
	killed         bool  // still running after the limit, and killed
	peakKB         int64 // the most memory it held (VmHWM), 0 where unknown
}

// runProgram runs path with args, killing its process group after limit.
func runProgram(ctx context.Context, limit time.Duration, path string, args ...string) (*run, error) {
	cmd := exec.Command(path, args...)
	ownProcessGroup(cmd)
	r := &run{stdout: newTailBuffer(64 << 10), stderr: newTailBuffer(64 << 10)}
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	// The peak is read from /proc while the program runs: the rusage of a
	// finished child also counts the memory of the parent it was forked
	// from, which is this suite, with its thousands of connections.
	peak := make(chan int64, 1)
	go func() {
		var high int64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if kb, ok := procfs.StatusKB(cmd.Process.Pid, "VmHWM"); ok {
				high = max(high, kb)
			}
			select {
			case <-done:
				peak <- high
				return
			case <-tick.C:
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(limit):
		r.killed = true
	case <-ctx.Done():
		r.killed = true
	}
	if r.killed {
		killProcessGroup(cmd)
		<-done
	}
	r.state, r.took, r.peakKB = cmd.ProcessState, time.Since(began), <-peak
	return r, nil
}

// output is everything the program printed, both streams.
func (r *run) output() string { return r.stdout.String() + r.stderr.String() }

// usageError checks that a run refused its command line as the course's
// programs do: exit status 2 within a few seconds, one line on standard
// error, and no "listening on".
func usageError(r *run, what string) error {
	switch {
	case r.killed:
		return fmt.Errorf("%s: still running %v later, printing %q; want a one-line error and exit status 2", what, r.took.Round(time.Second), shorten(r.output(), 100))
	case r.state.ExitCode() != 2:
		return fmt.Errorf("%s: %v, printing %q; want exit status 2 and a one-line error", what, r.state, shorten(r.output(), 200))
	}
	msg := strings.TrimRight(r.stderr.String(), "\n")
	if msg == "" || strings.Contains(msg, "\n") {
		return fmt.Errorf("%s: exit status 2, but standard error is %q; want exactly one line saying what is wrong", what, shorten(msg, 300))
	}
	return nil
}

func badFlags(ctx context.Context, t *T) error {
	bad := [][]string{{"-max-line", "0"}, {"-max-line", "-5"}}
	good := [][]string{}
	if t.Has(Concurrent) {
		bad = append(bad, []string{"-max-conns", "-1"}, []string{"-idle-timeout", "-1s"}, []string{"-grace", "-1s"})
		good = append(good, []string{"-max-conns", "0", "-idle-timeout", "0", "-grace", "0"})
	}
	for _, flags := range bad {
		t.Step("server %s", strings.Join(flags, " "))
		r, err := runProgram(ctx, wait, t.bin.Server, append([]string{"-addr", "127.0.0.1:0"}, flags...)...)
		if err != nil {
			return err
		}
		if err := usageError(r, "server "+strings.Join(flags, " ")); err != nil {
			return err
		}
	}
	// The smallest sensible values still start a server: 0 means no limit.
	for _, flags := range good {
		s, err := t.Start(ctx, Options{}, flags...)
		if err != nil {
			return fmt.Errorf("server %s (0: no limit, never, close at once): %v", strings.Join(flags, " "), err)
		}
		s.Kill()
	}
	return nil
}

func clientBadInput(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	client := t.ClientPath()
	help, err := runProgram(ctx, wait, client, "-h")
	if err != nil {
		return err
	}
	if strings.Contains(help.output(), "-conns") {
		r, err := runProgram(ctx, wait, client, "-addr", s.Addr, "-conns", "-1", "hi")
		if err != nil {
			return err
		}
		if err := usageError(r, "client -conns -1"); err != nil {
			return err
		}
		// -conns 0 may mean one connection (lesson 3 says so) or be
		// refused; doing nothing and exiting 0 is neither.
		r, err = runProgram(ctx, wait, client, "-addr", s.Addr, "-conns", "0", "hi")
		if err != nil {
			return err
		}
		if r.state.ExitCode() != 2 && !(r.state.ExitCode() == 0 && strings.Contains(r.stdout.String(), `"hi"`)) {
			return fmt.Errorf("client -conns 0 hi: %v, printing %q; want either exit status 2 with one line, or one connection that echoes \"hi\"",
				r.state, shorten(r.output(), 200))
		}
	}
	t.Step(`client "two\nlines"`)
	r, err := runProgram(ctx, wait, client, "-addr", s.Addr, "two\nlines")
	if err != nil {
		return err
	}
	if r.killed || r.state.ExitCode() == 0 {
		return fmt.Errorf("client \"two\\nlines\": %v, printing %q; a message holding a newline is two lines on the wire: the client must refuse it (exit 1 or 2)",
			r.state, shorten(r.output(), 200))
	}
	return nil
}

func clientEndlessServer(ctx context.Context, t *T) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	// The hostile server: it reads whatever comes and answers with an
	// endless line, until the client hangs up.
	go func() {
		chunk := []byte(strings.Repeat("a", 64<<10))
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				go func() {
					buf := make([]byte, 4096)
					for {
						if _, err := c.Read(buf); err != nil {
							return
						}
					}
				}()
				for ctx.Err() == nil {
					c.SetWriteDeadline(time.Now().Add(wait))
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Step("client -timeout 2s against a server that never sends a newline")
	r, err := runProgram(ctx, 10*time.Second, t.ClientPath(), "-addr", ln.Addr().String(), "-timeout", "2s", "hello")
	if err != nil {
		return err
	}
	out := r.output()
	switch {
	case r.killed || r.took > 2*time.Second+3*time.Second:
		return fmt.Errorf("client -timeout 2s against a server that streams bytes with no newline: ran for %v; want it to give up after about 2s", r.took.Round(100*time.Millisecond))
	case r.state.ExitCode() != 1:
		return fmt.Errorf("client -timeout 2s against a server that streams bytes with no newline: %v; want exit status 1", r.state)
	case len(out) > 4096:
		return fmt.Errorf("client -timeout 2s against a server that streams bytes with no newline: it printed %d bytes (%q); want a short error that quotes at most a prefix", len(out), shorten(out, 200))
	}
	if r.peakKB == 0 {
		t.Note("client exited %d after %v, too soon to read its memory", r.state.ExitCode(), r.took.Round(100*time.Millisecond))
	}
	if rss := r.peakKB; rss > 0 {
		t.Note("client exited %d after %v, peak RSS %d MiB", r.state.ExitCode(), r.took.Round(100*time.Millisecond), rss>>10)
		if rss > 32<<10 {
			return fmt.Errorf("client -timeout 2s against a server that streams bytes with no newline: it grew to %d MiB; want under 32 MiB: a client bounds what it buffers (-max-line)", rss>>10)
		}
	}
	return nil
}
