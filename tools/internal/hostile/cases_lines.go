package hostile

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

func oddBytes(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, line := range []string{"carriage\r return\r\n", "zero\x00byte\n", "bad utf-8 \xff\xfe\xc3(\n", "\n"} {
		t.Step("echo of %q", line)
		if err := echo(c, []byte(line)); err != nil {
			return err
		}
	}
	return nil
}

func oneByteWrites(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetNoDelay(true) // each one-byte write leaves as a packet of its own
	line := "sent one byte at a time\n"
	for i := range len(line) - 1 {
		if _, err := c.Write([]byte{line[i]}); err != nil {
			return fmt.Errorf("writing byte %d of %q: %v", i, line, err)
		}
	}
	if t.Has(Lines) {
		// A line server answers nothing before the newline.
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		buf := make([]byte, 64)
		if n, err := c.Read(buf); !isTimeout(err) {
			return fmt.Errorf("sent %q without its newline, one byte per write; got %q (%v) before the newline: a line comes back once, whole",
				line[:len(line)-1], buf[:n], err)
		}
	}
	c.SetReadDeadline(time.Now().Add(wait))
	c.Write([]byte{'\n'})
	got, err := readToEOFAfterHalfClose(c, len(line))
	if got != line || err != nil {
		return fmt.Errorf("sent %q one byte per write, then half-closed; got back %q (%v)", line, got, err)
	}
	return nil
}

func halfCloseRemainder(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	sent := "complete\nunfinished"
	c.Write([]byte(sent))
	got, err := readToEOFAfterHalfClose(c, 1024)
	if got != sent || err != nil {
		return fmt.Errorf("sent %q, then half-closed; want it all back, then EOF; got %q (%v)", sent, got, err)
	}
	return nil
}

// readToEOFAfterHalfClose half-closes c and reads what comes back until EOF.
func readToEOFAfterHalfClose(c *net.TCPConn, limit int) (string, error) {
	c.CloseWrite()
	got, err := readToEOF(c, wait, limit)
	return string(got), err
}

func maxLineExact(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-max-line", "16")
	if err != nil {
		return err
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	// The limit counts every byte but the newline: a \r counts.
	for _, line := range []string{"0123456789abcdef\n", "0123456789abcde\r\n"} {
		if err := echo(c, []byte(line)); err != nil {
			return fmt.Errorf("-max-line 16, a 16-byte line: %v", err)
		}
	}
	// Lesson 2 serves one client at a time: this one leaves first.
	if rest, err := readToEOFAfterHalfClose(c, 1024); rest != "" || err != nil {
		return fmt.Errorf("-max-line 16: after two 16-byte lines and a half-close, got %q (%v); want EOF", rest, err)
	}
	c2, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c2.Close()
	sent := "short\n0123456789abcdefg\nafter\n"
	want := "short\nerror: line exceeds 16 bytes\n"
	c2.Write([]byte(sent))
	got, err := readToEOF(c2, wait, 1024)
	if string(got) != want || err != nil {
		return fmt.Errorf("-max-line 16: sent %q; want %q, then EOF; got %q (%v)", sent, want, got, err)
	}
	return nil
}

func overLongWhileSending(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{}, "-max-line", "1024")
	if err != nil {
		return err
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	// Send without pause, from another goroutine, until the server closes
	// or the case ends: the error line must arrive all the same.
	var sent atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		chunk := []byte(strings.Repeat("a", 8<<10))
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.SetWriteDeadline(time.Now().Add(wait))
			n, err := c.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	want := "error: line exceeds 1024 bytes\n"
	got, err := readToEOF(c, wait, 1024)
	if string(got) != want {
		return fmt.Errorf("-max-line 1024, a client sending 'a' without pause (%d bytes so far): want %q, then EOF or a reset; got %q (%v)",
			sent.Load(), want, got, err)
	}
	if isTimeout(err) {
		return fmt.Errorf("-max-line 1024, a client that keeps sending: got the error line, but the connection was still open %v later: the drain time must end", wait)
	}
	return nil
}

func resetMidLine(ctx context.Context, t *T) error {
	s, err := t.Start(ctx, Options{})
	if err != nil {
		return err
	}
	// A bystander, already talking, where the server serves many at once.
	var bystander net.Conn
	if t.Has(Concurrent) {
		b, err := dial(ctx, s.Addr)
		if err != nil {
			return err
		}
		defer b.Close()
		if err := echo(b, []byte("before the resets\n")); err != nil {
			return err
		}
		bystander = b
	}
	for i := range 20 {
		t.Step("reset %d of 20", i+1)
		c, err := dial(ctx, s.Addr)
		if err != nil {
			return fmt.Errorf("after %d resets: %v", i, err)
		}
		c.Write([]byte("half a li"))
		resetConn(c)
	}
	if bystander != nil {
		if err := echo(bystander, []byte("after the resets\n")); err != nil {
			return fmt.Errorf("a client connected before 20 others reset mid-line: %v", err)
		}
	}
	c, err := dial(ctx, s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := echo(c, []byte("a new client\n")); err != nil {
		return fmt.Errorf("after 20 clients reset mid-line: %v", err)
	}
	return nil
}
