package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

const (
	// dialTimeout bounds one connect. A server that accepts one client at a
	// time still completes the handshake for the others (the kernel does,
	// into the listen backlog), so this only fires for a server that is gone.
	dialTimeout = 5 * time.Second
	// dialParallel bounds the connects in flight, so that opening 10,000
	// connections does not overflow the server's listen backlog at once.
	dialParallel = 64
	// maxLine is the longest line echobench sends: the course's servers
	// accept lines up to 65,536 bytes (-max-line).
	maxLine = 65536
	// maxConns and maxDuration bound any one run.
	maxConns    = 100000
	maxDuration = time.Minute
)

// loopbackDialer connects only to loopback addresses, whatever a name such
// as "localhost" resolves to.
var loopbackDialer = net.Dialer{
	Timeout: dialTimeout,
	Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
		}
		return nil
	},
}

// dialAll opens n connections to addr, dialParallel at a time, and calls
// each(i, conn) for each one as soon as it is open (in its own goroutine).
// It returns how many dials failed or were not tried, and the first error.
// After dialParallel failures it stops trying: a server that refuses or
// ignores that many will not take the rest, and each try could take
// dialTimeout.
func dialAll(ctx context.Context, addr string, n int, each func(i int, c net.Conn)) (failed int, firstErr error) {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, dialParallel)
	)
	ctx, giveUp := context.WithCancel(ctx)
	defer giveUp()
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			return failed + n - i, firstErr
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := loopbackDialer.DialContext(ctx, "tcp", addr)
			<-sem
			if err != nil {
				mu.Lock()
				failed++
				if firstErr == nil {
					firstErr = err
				}
				if failed >= dialParallel {
					giveUp()
				}
				mu.Unlock()
				return
			}
			each(i, c)
		}()
	}
	wg.Wait()
	return failed, firstErr
}

// newLine returns an S-byte line: printable bytes, then '\n'. Line servers
// echo it whole; a raw echo server (lesson 1) echoes the same bytes.
func newLine(size int) []byte {
	line := make([]byte, size)
	for i := range line {
		line[i] = 'a' + byte(i%26)
	}
	line[size-1] = '\n'
	return line
}

// stamp writes seq in hexadecimal at the start of line (as far as it fits),
// so that an echo of an earlier line, or of another connection's line, is
// caught as a mismatch rather than counted.
func stamp(line []byte, seq uint64) {
	const digits = "0123456789abcdef"
	n := min(16, len(line)-1)
	for i := n - 1; i >= 0; i-- {
		line[i] = digits[seq&0xf]
		seq >>= 4
	}
}

// checkSize rejects line sizes the servers would refuse.
func checkSize(size int) error {
	if size < 1 || size > maxLine {
		return fmt.Errorf("-size %d: want 1 to %d bytes (the servers' -max-line)", size, maxLine)
	}
	return nil
}

// checkConns rejects connection counts beyond what one run allows, and
// makes sure the file limit allows them.
func checkConns(conns int) error {
	if conns < 1 || conns > maxConns {
		return fmt.Errorf("-conns %d: want 1 to %d", conns, maxConns)
	}
	return ensureFiles(conns)
}

// checkDuration rejects runs longer than maxDuration.
func checkDuration(flagName string, d time.Duration) error {
	if d <= 0 || d > maxDuration {
		return fmt.Errorf("%s %v: want more than 0 and at most %v", flagName, d, maxDuration)
	}
	return nil
}
