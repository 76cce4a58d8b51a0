//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ErrEchoDiffers is wrapped by a ClientResult's error when the server sent
// back something other than what was sent.
var ErrEchoDiffers = errors.New("the echo differs from what was sent")

// ErrNewlineInMessage is what RunClient returns for a message that holds a
// '\n': each message is sent as one line, and the newline would split it
// into two (the server would echo two lines).
var ErrNewlineInMessage = errors.New("a message may not contain a newline: each is sent as one line")

// startConnect begins connecting a new non-blocking socket to addr and
// returns at once, before the handshake is done: connect(2) on a
// non-blocking socket says EINPROGRESS, and the socket becomes writable
// when the handshake ends, well or badly (Python's sock.connect_ex).
//
// Step 5. newSocket(family(addr)), then unix.Connect with toSockaddr(addr).
// EINPROGRESS is the expected answer, not an error; any other error closes
// the socket and is returned. See README.md, "Step 5".
func startConnect(addr netip.AddrPort) (int, error) {
	// TODO(step 5): a non-blocking socket, connect, EINPROGRESS is fine.
	return -1, notImplemented("step 5: startConnect")
}

// connectResult says how the connect that startConnect began has ended, once
// the socket is writable: nil if it is connected, else the error the
// handshake met (ECONNREFUSED when nobody listens). The kernel keeps that
// error in the socket's SO_ERROR option; writable alone means "finished",
// not "succeeded".
//
// Step 5. unix.GetsockoptInt(fd, SOL_SOCKET, SO_ERROR): 0 is success, any
// other value is a unix.Errno. See README.md, "Step 5".
func connectResult(fd int) error {
	// TODO(step 5): read SO_ERROR: 0 means connected.
	return notImplemented("step 5: connectResult")
}

// ClientResult is what one of the client's connections got back.
type ClientResult struct {
	Echo []byte // every byte the server sent back
	Err  error  // nil when Echo is exactly what was sent
}

// clientConn is one connection's state in the client: Python's
// SimpleNamespace(connid, msg_total, recv_total, messages, outb).
type clientConn struct {
	fd        int    // -1 before the socket is opened and once it is closed
	out       []byte // what is left to send
	echo      []byte // what came back so far
	connected bool
	done      bool
}

// RunClient is the multi-connection client: it opens conns connections to
// address at once, sends every message on each as a line, half-closes, and
// reads the echo until the server closes. All of it runs on the calling
// goroutine, over sel. It returns one result per connection; a connection
// not finished within timeout (one deadline for connecting, sending and
// reading) fails with an error wrapping os.ErrDeadlineExceeded.
//
// It trusts the server for neither memory nor time: a connection stops
// reading as soon as its echo departs from what was sent (a server that
// streams bytes makes it hold at most one read more than the messages),
// and an error quotes at most the first 80 bytes of an echo. If RunClient
// fails as a whole (a selector error), it closes every socket it opened.
func RunClient(sel Selector, address string, conns int, messages []string, timeout time.Duration) ([]ClientResult, error) {
	if conns < 1 {
		return nil, fmt.Errorf("%d connections: want at least 1", conns)
	}
	for _, m := range messages {
		if strings.ContainsRune(m, '\n') {
			return nil, fmt.Errorf("%w: %q", ErrNewlineInMessage, clip([]byte(m)))
		}
	}
	deadline := time.Now().Add(timeout)
	addr, err := resolve(address)
	if err != nil {
		return nil, err
	}
	var sent []byte
	for _, m := range messages {
		sent = append(append(sent, m...), '\n')
	}
	results := make([]ClientResult, conns)
	cs := make([]clientConn, conns)
	for i := range cs {
		cs[i].fd = -1
	}
	// On every way out, no socket is left open: a failure part-way must not
	// leak the connections already made.
	defer func() {
		for i := range cs {
			if c := &cs[i]; c.fd >= 0 {
				sel.Unregister(c.fd)
				unix.Close(c.fd)
				c.fd = -1
			}
		}
	}()
	left := 0
	finish := func(i int, err error) {
		c := &cs[i]
		sel.Unregister(c.fd)
		unix.Close(c.fd)
		c.fd, c.done = -1, true
		left--
		if err == nil && !bytes.Equal(c.echo, sent) {
			err = fmt.Errorf("%w: sent %d bytes, got %d back: %q", ErrEchoDiffers, len(sent), len(c.echo), clip(c.echo))
		}
		results[i] = ClientResult{Echo: c.echo, Err: err}
	}
	for i := range cs {
		fd, err := startConnect(addr)
		if err != nil {
			results[i].Err = err // Refused at once: it happens on loopback.
			cs[i].done = true
			continue
		}
		cs[i] = clientConn{fd: fd, out: sent}
		// Writable means the handshake is over: wait for that first.
		if err := sel.Register(fd, EventWrite, uint64(i)); err != nil {
			unix.Close(fd)
			cs[i].fd = -1
			return nil, err
		}
		left++
	}

	buf := make([]byte, 64<<10)
	ready := make([]Event, 256)
	for left > 0 {
		wait := time.Until(deadline)
		if wait <= 0 {
			for i := range cs {
				if !cs[i].done {
					finish(i, fmt.Errorf("no complete echo within %s: %w", timeout, os.ErrDeadlineExceeded))
				}
			}
			break
		}
		n, err := sel.Select(ready, wait)
		if err != nil {
			return nil, err
		}
		for _, ev := range ready[:n] {
			i := int(ev.Data)
			c := &cs[i]
			if c.done {
				continue
			}
			if !c.connected {
				if err := connectResult(c.fd); err != nil {
					finish(i, err)
					continue
				}
				c.connected = true
			}
			if len(c.out) > 0 && ev.Events&(EventWrite|EventError) != 0 {
				n, err := unix.Write(c.fd, c.out)
				if err != nil && err != unix.EAGAIN {
					finish(i, os.NewSyscallError("write", err))
					continue
				}
				c.out = c.out[max(n, 0):]
				if len(c.out) == 0 {
					// All sent: half-close, so the server echoes any
					// unfinished line and closes when it is done.
					unix.Shutdown(c.fd, unix.SHUT_WR)
				}
			}
			if ev.Events&(EventRead|EventError) != 0 {
				n, err := unix.Read(c.fd, buf)
				switch {
				case err == unix.EAGAIN:
				case err != nil:
					finish(i, os.NewSyscallError("read", err))
					continue
				case n == 0:
					finish(i, nil) // The server closed: the echo is complete.
					continue
				default:
					c.echo = append(c.echo, buf[:n]...)
					if !bytes.HasPrefix(sent, c.echo) {
						finish(i, nil) // Wrong already: reading on would only fill memory.
						continue
					}
				}
			}
			// Read always; write only while there is something to send.
			want := EventRead
			if len(c.out) > 0 {
				want |= EventWrite
			}
			if err := sel.Modify(c.fd, want, uint64(i)); err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

// clip shortens a long echo for an error message.
func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
