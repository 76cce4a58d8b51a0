package hostile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// exitedWithin waits up to d for the server to exit with status want.
func exitedWithin(s *Server, d time.Duration, want int, what string) error {
	state, ok := s.Wait(d)
	if !ok {
		return fmt.Errorf("%s: the server was still running %v later", what, d)
	}
	if state.ExitCode() != want {
		return fmt.Errorf("%s: the server ended with %v, want exit status %d; its standard error: %q",
			what, state, want, shorten(s.Stderr(), 200))
	}
	return nil
}

func stopUnderLoad(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-grace", "3s")
	if err != nil {
		return err
	}
	t.Step("20 clients that never read")
	hogs, err := dialMany(ctx, s.Addr, 20, 20)
	if err != nil {
		return err
	}
	defer closeAll(hogs)
	forEach(ctx, len(hogs), len(hogs), func(i int) error {
		fillUnread(ctx, hogs[i], []byte("never read\n"), 256<<10, 500*time.Millisecond)
		return nil
	})

	t.Step("50 clients sending lines without pause")
	const talkers = 50
	conns, err := dialMany(ctx, s.Addr, talkers, talkers)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	// The talkers stop writing when the stop begins, as a client that has
	// finished its work would: one that goes on sending after the server
	// half-closes is cut off by a reset when the drain time ends, and a
	// reset throws away echoes it has not read yet.
	var stopping atomic.Bool
	// The stop must meet every talker in mid-stream: it is signalled once
	// each one has had an echo back, so is being served.
	var echoing atomic.Int32
	allEchoing := make(chan struct{})
	sent := make([][]byte, talkers)
	got := make([][]byte, talkers)
	ended := make([]error, talkers)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(2)
		go func() { // writer: numbered lines, 50 per write, at most 4 MiB
			defer wg.Done()
			for seq := 0; len(sent[i]) < 4<<20 && ctx.Err() == nil && !stopping.Load(); seq += 50 {
				chunk := numberedLines(fmt.Sprintf("client %d, line %d +", i, seq), 50)
				c.SetWriteDeadline(time.Now().Add(10 * time.Second))
				n, err := c.Write(chunk)
				sent[i] = append(sent[i], chunk[:n]...)
				if err != nil {
					return
				}
			}
		}()
		go func() { // reader: a first byte, then everything until the server closes
			defer wg.Done()
			first := make([]byte, 1)
			c.SetReadDeadline(time.Now().Add(wait))
			if _, err := io.ReadFull(c, first); err != nil {
				ended[i] = err
				return
			}
			if echoing.Add(1) == talkers {
				close(allEchoing)
			}
			rest, err := readToEOF(c, 15*time.Second, 8<<20)
			got[i], ended[i] = append(first, rest...), err
		}()
	}
	t.Step("waiting for every talker's first echo")
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-allEchoing:
	case <-timer.C:
		select {
		case <-allEchoing:
		default:
			return fmt.Errorf("50 clients sending lines without pause, 20 more never reading: %d of the 50 had an echo back within %v; want all", echoing.Load(), wait)
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	t.Step("SIGTERM under load")
	began := time.Now()
	stopping.Store(true)
	if err := s.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if err := exitedWithin(s, 3*time.Second+2*time.Second, 0, "-grace 3s, SIGTERM with 50 busy and 20 never-reading clients"); err != nil {
		return err
	}
	took := time.Since(began)
	t.Step("checking every client's echoes")
	wg.Wait()
	lines := 0
	for i := range conns {
		if !bytes.HasPrefix(sent[i], got[i]) {
			at := commonPrefix(sent[i], got[i])
			return fmt.Errorf("client %d: the echo differs from what it sent at byte %d: sent %q, got %q: nothing may be lost or reordered",
				i, at, shorten(string(sent[i][at:]), 40), shorten(string(got[i][at:]), 40))
		}
		if ended[i] == nil && len(got[i]) > 0 && got[i][len(got[i])-1] != '\n' {
			return fmt.Errorf("client %d: its echoes end in the middle of a line, %q, then EOF (%d bytes echoed of %d sent): every line read must be echoed whole before the server closes",
				i, shorten(string(got[i][bytes.LastIndexByte(got[i], '\n')+1:]), 60), len(got[i]), len(sent[i]))
		}
		lines += bytes.Count(got[i], []byte{'\n'})
	}
	t.Note("exit 0 %v after SIGTERM, %d lines echoed in order", took.Round(100*time.Millisecond), lines)
	return nil
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func stopRule(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-grace", "5s")
	if err != nil {
		return err
	}
	idle, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer idle.Close()
	busy, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer busy.Close()
	for _, c := range []net.Conn{idle, busy} {
		if err := echo(c, []byte("before the stop\n")); err != nil {
			return err
		}
	}
	busy.Write([]byte("half"))
	if err := waitRead(ctx, busy, wait); err != nil {
		return fmt.Errorf("sent \"half\" to be in flight when the stop begins: %v", err)
	}
	t.Step("SIGTERM, one client idle, one in the middle of a line")
	if err := s.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	began := time.Now()
	rest, err := readToEOF(idle, wait, 1024)
	if len(rest) > 0 || isTimeout(err) {
		return fmt.Errorf("SIGTERM: an idle client should be closed at once; after %v it got %q (%v)", time.Since(began).Round(time.Millisecond), rest, err)
	}
	if took := time.Since(began); took > 2*time.Second {
		return fmt.Errorf("SIGTERM: an idle client was closed only %v later; want at once", took.Round(time.Millisecond))
	}
	t.Step("finishing the half line, with two more lines in the same write")
	busy.Write([]byte("line\nextra1\nextra2\n"))
	want := "halfline\nextra1\nextra2\n"
	busy.SetReadDeadline(time.Now().Add(wait))
	echoed := make([]byte, len(want))
	n, err := io.ReadFull(busy, echoed)
	if err != nil || string(echoed) != want {
		return fmt.Errorf(`SIGTERM with "half" read: then sent "line\nextra1\nextra2\n" in one write; want %q back (the line finished, and the lines read with it), got %q (%v)`,
			want, echoed[:n], err)
	}
	busy.Write([]byte("late\n"))
	after, err := readToEOF(busy, wait, 1024)
	if len(after) > 0 || isTimeout(err) {
		return fmt.Errorf("SIGTERM: once its line was finished and echoed, a line sent later must not be echoed, and the connection closed; got %q (%v)", after, err)
	}
	return exitedWithin(s, wait, 0, "SIGTERM, every connection closed")
}

// holdHalfLine connects a client that has sent part of a line, and waits
// until the server has read it, so that a graceful stop has something in
// flight to wait for.
func holdHalfLine(ctx context.Context, s *Server) (net.Conn, error) {
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return nil, err
	}
	c.Write([]byte("half a li"))
	if err := waitRead(ctx, c, wait); err != nil {
		c.Close()
		return nil, fmt.Errorf("sent \"half a li\" to be in flight when the stop begins: %v", err)
	}
	return c, nil
}

func secondSignal(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-grace", "30s")
	if err != nil {
		return err
	}
	c, err := holdHalfLine(ctx, s)
	if err != nil {
		return err
	}
	defer c.Close()
	s.Signal(syscall.SIGTERM)
	if !s.WaitStdout("shutting down", wait) {
		return fmt.Errorf("-grace 30s, SIGTERM: the server printed no \"shutting down\" line within %v; its output: %q", wait, shorten(s.Stdout(), 200))
	}
	if !s.Running() {
		return fmt.Errorf("-grace 30s, a line in flight: the server exited at the first SIGTERM")
	}
	t.Step("the second SIGTERM")
	s.Signal(syscall.SIGTERM)
	return exitedWithin(s, 2*time.Second, 1, "-grace 30s, a line in flight, a second SIGTERM (it must exit at once)")
}

func graceZero(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-grace", "0")
	if err != nil {
		return err
	}
	c, err := holdHalfLine(ctx, s)
	if err != nil {
		return err
	}
	defer c.Close()
	s.Signal(syscall.SIGTERM)
	if err := exitedWithin(s, 2*time.Second, 0, "-grace 0, a line in flight, SIGTERM (0 means close at once and exit)"); err != nil {
		return err
	}
	if got, err := readToEOF(c, wait, 1024); len(got) > 0 || isTimeout(err) {
		return fmt.Errorf("-grace 0: the client in the middle of a line got %q (%v); want the connection closed", got, err)
	}
	return nil
}
