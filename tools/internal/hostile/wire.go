package hostile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// wait is how long a well-behaved server may take to answer anything on a
// loaded machine: long enough never to fail a correct server, short enough
// to keep the suite quick when one is wrong.
const wait = 5 * time.Second

// loopbackDialer connects only to loopback addresses.
var loopbackDialer = net.Dialer{
	Timeout: wait,
	Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
		}
		return nil
	},
}

// dial connects to addr (loopback only).
func dial(ctx context.Context, addr string) (*net.TCPConn, error) {
	c, err := loopbackDialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// dialMany opens n connections to addr, at most parallel at a time. On the
// first failure it closes what it opened and returns the error.
func dialMany(ctx context.Context, addr string, n, parallel int) ([]*net.TCPConn, error) {
	conns := make([]*net.TCPConn, n)
	err := forEach(ctx, n, parallel, func(i int) error {
		c, err := dial(ctx, addr)
		conns[i] = c
		return err
	})
	if err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

// forEach calls f(0) ... f(n-1), at most parallel at a time, and returns
// the first error; after one, it starts no more calls.
func forEach(ctx context.Context, n, parallel int, f func(i int) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, parallel)
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for i := range n {
		sem <- struct{}{}
		if ctx.Err() != nil || failed() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("connection %d: %w", i+1, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// closeAll closes every connection that is not nil.
func closeAll(conns []*net.TCPConn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// echo writes line and expects the same bytes back within wait.
func echo(c net.Conn, line []byte) error {
	c.SetDeadline(time.Now().Add(wait))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(line); err != nil {
		return fmt.Errorf("sending %q: %v", shorten(string(line), 40), err)
	}
	got := make([]byte, len(line))
	n, err := io.ReadFull(c, got)
	if err != nil {
		return fmt.Errorf("sent %q, waited %v for its echo, got %q, then %v", shorten(string(line), 40), wait, shorten(string(got[:n]), 60), err)
	}
	if !bytes.Equal(got, line) {
		return fmt.Errorf("sent %q, got back %q", shorten(string(line), 40), shorten(string(got), 60))
	}
	return nil
}

// readToEOF reads until the server closes (EOF), for at most d, keeping at
// most limit bytes. err is nil on EOF; a timeout or reset is returned with
// what arrived before it.
func readToEOF(c net.Conn, d time.Duration, limit int) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	var got []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if len(got) < limit {
			got = append(got, buf[:min(n, limit-len(got))]...)
		}
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// isTimeout reports whether err is a deadline that passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// resetConn closes c with a reset (RST) instead of a FIN, as a crashed
// client's kernel would.
func resetConn(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}

// fillUnread writes to c without reading, until a write has been blocked
// for stall (the server stopped reading, or its socket buffers are full),
// or until limit bytes have gone, or ctx ends. It returns the bytes written.
func fillUnread(ctx context.Context, c net.Conn, line []byte, limit int, stall time.Duration) int {
	block := bytes.Repeat(line, max(1, (64<<10)/len(line)))
	sent := 0
	for sent < limit && ctx.Err() == nil {
		c.SetWriteDeadline(time.Now().Add(stall))
		n, err := c.Write(block)
		sent += n
		if err != nil {
			break
		}
	}
	c.SetWriteDeadline(time.Time{})
	return sent
}

// cpuOver measures the fraction of one CPU the process uses over d.
func cpuOver(ctx context.Context, pid int, d time.Duration) (float64, bool) {
	c0, ok0 := procfs.CPUSeconds(pid)
	t0 := time.Now()
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return 0, false
	}
	c1, ok1 := procfs.CPUSeconds(pid)
	return (c1 - c0) / time.Since(t0).Seconds(), ok0 && ok1
}

// numberedLines returns n distinct lines "<prefix> <i>\n", joined.
func numberedLines(prefix string, n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return b.Bytes()
}
