package hostile

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// maxRSSGrowthKB bounds what 300 never-reading clients may add to the
// server's memory: a line buffer each (64 KiB by default) and change, far
// below what they sent (150 MiB).
const maxRSSGrowthKB = 100 << 10

func neverReading(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	rss0, rssOK := procfs.RSSKB(s.Pid)
	t.Step("300 clients sending without reading")
	var sent atomic.Int64
	conns, err := dialMany(ctx, s.Addr, 300, 64)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	line := []byte("a line that nobody will read back, padded to about sixty-four b\n")
	forEach(ctx, len(conns), len(conns), func(i int) error {
		// Each sends until the server stops reading it (its echoes fill
		// the socket buffers), at most 512 KiB.
		sent.Add(int64(fillUnread(ctx, conns[i], line, 512<<10, time.Second)))
		return nil
	})
	t.Step("a client while 300 others never read")
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return fmt.Errorf("a new client while 300 others never read: %v", err)
	}
	defer c.Close()
	if err := echo(c, []byte("still served?\n")); err != nil {
		return fmt.Errorf("while 300 clients never read their echoes: %v", err)
	}
	t.Note("%d MiB sent unread", sent.Load()>>20)
	if !rssOK {
		t.Note("server memory unknown here (no /proc)")
		return nil
	}
	rss1, _ := procfs.RSSKB(s.Pid)
	t.Note("server RSS %d -> %d MiB", rss0>>10, rss1>>10)
	if rss1-rss0 > maxRSSGrowthKB {
		return fmt.Errorf("300 clients that never read (%d MiB sent) grew the server from %d to %d MiB; want at most %d MiB more: what does it buffer for a client that does not read?",
			sent.Load()>>20, rss0>>10, rss1>>10, maxRSSGrowthKB>>10)
	}
	return nil
}

func slowSender(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-idle-timeout", "2s")
	if err != nil {
		return err
	}
	slow, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer slow.Close()
	line := "slow\n"
	for i := range len(line) {
		t.Step("byte %d of %q, one a second", i+1, line)
		if _, err := slow.Write([]byte{line[i]}); err != nil {
			return fmt.Errorf("-idle-timeout 2s: writing byte %d of %q, one a second: %v (a client that sends is not idle)", i+1, line, err)
		}
		if i == 1 {
			// Others are served meanwhile.
			c, err := dial(ctx, s.Addr)
			if err != nil {
				return err
			}
			err = echo(c, []byte("meanwhile\n"))
			c.Close()
			if err != nil {
				return fmt.Errorf("while another client sends one byte a second: %v", err)
			}
		}
		// The pause is the attack itself (one byte a second), not a wait
		// for the server.
		if i < len(line)-1 && !sleep(ctx, time.Second) {
			return ctx.Err()
		}
	}
	slow.SetReadDeadline(time.Now().Add(wait))
	got := make([]byte, len(line))
	if n, err := io.ReadFull(slow, got); err != nil {
		return fmt.Errorf("-idle-timeout 2s: sent %q one byte a second; got %q back, then %v: a client that sends is not idle", line, got[:n], err)
	}
	// Now silent: the server closes it after 2s, with a lingering close.
	t.Step("waiting for the idle timeout")
	began := time.Now()
	rest, err := readToEOF(slow, 2*time.Second+wait, 1024)
	if len(rest) > 0 || isTimeout(err) {
		return fmt.Errorf("-idle-timeout 2s: a silent client should be closed after 2s; after %v got %q (%v)", time.Since(began).Round(time.Millisecond), rest, err)
	}
	t.Note("closed %v after it fell silent", time.Since(began).Round(100*time.Millisecond))
	return nil
}

func idleTimeoutUnread(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-idle-timeout", "2s", "-max-conns", "1")
	if err != nil {
		return err
	}
	hog, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer hog.Close()
	t.Step("a client sending lines without reading them")
	sent := fillUnread(ctx, hog, []byte("never read back\n"), 64<<20, time.Second)
	t.Step("a second client, after %d KiB sent unread by the first", sent>>10)
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	began := time.Now()
	// 2s of idle time, then a drain of up to 2s, then the slot is free.
	const within = 10 * time.Second
	c.SetDeadline(time.Now().Add(within))
	line := []byte("served after the idle timeout?\n")
	c.Write(line)
	got := make([]byte, len(line))
	if n, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("-idle-timeout 2s -max-conns 1: the first client sent %d KiB and never read; a second client waited %v for its echo and got %q (%v): the idle timeout must bound a blocked write too (a write deadline)",
			sent>>10, within, got[:n], err)
	}
	t.Note("second client served after %v", time.Since(began).Round(100*time.Millisecond))
	return nil
}

func maxConns100(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-max-conns", "100")
	if err != nil {
		return err
	}
	t.Step("150 clients, each sending a line")
	conns, err := dialMany(ctx, s.Addr, 150, 50)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	line := []byte("one of 150\n")
	answered := make([]bool, len(conns))
	readEchoes := func(d time.Duration, which func(i int) bool) int {
		var n atomic.Int64
		var wg sync.WaitGroup
		for i, c := range conns {
			if !which(i) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetReadDeadline(time.Now().Add(d))
				got := make([]byte, len(line))
				if _, err := io.ReadFull(c, got); err == nil {
					answered[i] = true
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return int(n.Load())
	}
	for _, c := range conns {
		c.Write(line)
	}
	served := readEchoes(3*time.Second, func(int) bool { return true })
	if served != 100 {
		return fmt.Errorf("-max-conns 100: 150 clients each sent a line; %d got their echo within 3s, want exactly 100 (the rest wait in the backlog)", served)
	}
	t.Step("closing the 100 served clients")
	for i, c := range conns {
		if answered[i] {
			c.Close()
		}
	}
	if later := readEchoes(wait, func(i int) bool { return !answered[i] }); later != 50 {
		return fmt.Errorf("-max-conns 100: once the first 100 clients left, %d of the 50 waiting got their echo within %v; want all 50", later, wait)
	}
	t.Step("2,000 more clients, 200 at a time")
	began := time.Now()
	err = forEach(ctx, 2000, 200, func(i int) error {
		c, err := dial(ctx, s.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		return echo(c, []byte(fmt.Sprintf("client %d\n", i)))
	})
	if err != nil {
		return fmt.Errorf("-max-conns 100, 2,000 clients 200 at a time: %v", err)
	}
	t.Note("2,000 clients over -max-conns 100 in %v", time.Since(began).Round(100*time.Millisecond))
	return nil
}

func connectStorm(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	const storm = 20000
	began := time.Now()
	var done atomic.Int64
	t.Step("20,000 connects and closes")
	err = forEach(ctx, storm, 32, func(i int) error {
		c, err := dial(ctx, s.Addr)
		if err != nil {
			return err
		}
		if i%2 == 0 {
			resetConn(c)
		} else {
			c.Close()
		}
		done.Add(1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("after %d of %d connect-and-close: %v", done.Load(), storm, err)
	}
	took := time.Since(began)
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := echo(c, []byte("after the storm\n")); err != nil {
		return fmt.Errorf("after %d connections opened and closed at once: %v", storm, err)
	}
	t.Note("%d connects in %v", storm, took.Round(100*time.Millisecond))
	return nil
}

func fdLimit(ctx context.Context, t *T) error {
	const noFile = 64
	s, err := t.Start(ctx, Options{NoFile: noFile})
	if err != nil {
		return err
	}
	const clients = 300
	release := make(chan struct{})
	var (
		echoed atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
	)
	t.Step("300 clients against ulimit -n 64")
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(ctx, s.Addr)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			defer c.Close()
			line := []byte(fmt.Sprintf("client %d under ulimit -n 64\n", i))
			c.SetDeadline(time.Now().Add(40 * time.Second))
			c.Write(line)
			got := make([]byte, len(line))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != string(line) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("sent %q, got %q (%v)", line, got, err))
				mu.Unlock()
				return
			}
			echoed.Add(1)
			<-release // hold the descriptor until the CPU is measured
		}()
	}
	// Once the served clients hold every descriptor, the others wait in
	// the backlog and Accept fails with EMFILE: a server that retries
	// without pause burns a CPU. Measure from the moment it is full.
	if open, full := waitOpenFiles(ctx, s.Pid, noFile, wait); !full && open > 0 {
		t.Note("the server held only %d of %d descriptors %v later", open, noFile, wait)
	}
	cpu, ok := cpuOver(ctx, s.Pid, 2*time.Second)
	held := echoed.Load()
	close(release)
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("ulimit -n 64, 300 clients: %d not served within 40s; first: %v", len(errs), errs[0])
	}
	if !s.Running() {
		return fmt.Errorf("ulimit -n 64: the server exited (%s)", shorten(s.Stderr(), 200))
	}
	t.Note("%d served at once, server CPU %.0f%% while out of descriptors, all 300 served", held, cpu*100)
	if ok && cpu > 0.25 {
		return fmt.Errorf("ulimit -n 64, %d clients served at once and the rest waiting: the server used %.0f%% of a CPU over 2s; want it to back off between failed Accepts (under 25%%)", held, cpu*100)
	}
	return nil
}

func idle1000(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	t.Step("1,000 connections, one echo each")
	conns, err := dialMany(ctx, s.Addr, 1000, 64)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	if err := forEach(ctx, len(conns), 64, func(i int) error {
		return echo(conns[i], []byte("then idle\n"))
	}); err != nil {
		return err
	}
	t.Step("waiting for the server to fall idle")
	// Its last echoes are sent, but it may still be finishing their work
	// (going back to its poller, a garbage collection): measure from the
	// moment none of its threads runs. One that spins never gets there,
	// and the measurement says so.
	waitIdle(ctx, s.Pid, wait)
	t.Step("measuring the server's CPU")
	cpu, ok := cpuOver(ctx, s.Pid, 2*time.Second)
	if !ok {
		return Skip("no /proc to read the server's CPU time from")
	}
	rss, _ := procfs.RSSKB(s.Pid)
	t.Note("server CPU %.1f%% over 2s, RSS %d MiB", cpu*100, rss>>10)
	if cpu > 0.05 {
		return fmt.Errorf("1,000 idle connections: the server used %.0f%% of a CPU over 2s; want about 0 (under 5%%): is something polling?", cpu*100)
	}
	return nil
}

func unreadLog(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{UnreadStdout: true}, "-v")
	if err != nil {
		return err
	}
	// 20 clients × 500 lines of about 100 bytes: each line logged with -v
	// is about 120 bytes, 1.2 MB in all, far more than a pipe holds.
	t.Step("20 clients, 500 lines each, logged into a pipe nobody reads")
	err = forEach(ctx, 20, 20, func(i int) error {
		c, err := dial(ctx, s.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		lines := numberedLines(fmt.Sprintf("client %2d, a line of about a hundred bytes, logged by a server whose log nobody reads:", i), 500)
		c.SetDeadline(time.Now().Add(2 * wait))
		go c.Write(lines)
		got := make([]byte, len(lines))
		n, err := io.ReadFull(c, got)
		if err != nil {
			return fmt.Errorf("sent %d bytes of lines; %d came back, then %v", len(lines), n, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("-v, standard output never read after \"listening on\": %v: a log nobody reads must not stop the server", err)
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := echo(c, []byte("and one more\n")); err != nil {
		return fmt.Errorf("-v, standard output never read: %v", err)
	}
	return nil
}

// sleep waits for d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
