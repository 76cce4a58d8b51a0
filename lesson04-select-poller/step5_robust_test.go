//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 5, the corners: the client trusts the server for neither memory nor
// time, and leaves no socket behind when it fails.

func TestStep5_ClosesEverySocketWhenTheSelectorFails(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		// A listener that never accepts: the kernel completes the
		// handshakes, and no other descriptor opens while RunClient runs.
		ln := listenTCP(t)
		sel := &faultySelector{Selector: newSelector(), failRegister: 3}
		defer sel.Close()
		_, err := RunClient(sel, ln.Addr().String(), 5, []string{"hello"}, wait)
		requireDone(t, 5, "startConnect", err)
		require.ErrorIsf(t, err, errInjected, "the third Register failed: RunClient must return that error")
		for i, fd := range sel.registered {
			_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			require.ErrorIsf(t, err, unix.EBADF,
				"Register failed for the third connection and RunClient returned, but connection %d's socket (fd %d) is still open: every return path must close the sockets already opened. (README.md, Step 5)", i+1, fd)
		}
	})
}

func TestStep5_StopsReadingAServerThatNeverStopsSending(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		// This server answers with bytes and no newline, for ever.
		ln := listenTCP(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(2 * wait))
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for {
				if _, err := conn.Write(chunk); err != nil {
					return
				}
			}
		}()
		t.Cleanup(func() { <-done })
		const timeout = 2 * time.Second
		began := time.Now()
		results := runClient(t, newSelector, ln.Addr().String(), 1, []string{"hello"}, timeout)
		took := time.Since(began)
		r := results[0]
		require.Truef(t, errors.Is(r.Err, ErrEchoDiffers), "the server sent x after x; want ErrEchoDiffers, got %v", r.Err)
		require.LessOrEqualf(t, len(r.Echo), len("hello\n")+64<<10,
			"the client kept %d bytes of an echo that was wrong after the first byte: stop reading once the echo departs from what was sent. (README.md, Step 5)", len(r.Echo))
		require.Lessf(t, len(r.Err.Error()), 300, "an error quotes at most a short prefix of the echo; it was %d bytes long", len(r.Err.Error()))
		require.Lessf(t, took, timeout, "the echo was wrong at once; the client waited %s", took)
	})
}

func TestStep5_RefusesAMessageWithANewline(t *testing.T) {
	eachBackend(t, 5, func(t *testing.T, newSelector func() Selector) {
		ln := listenTCP(t)
		sel := newSelector()
		defer sel.Close()
		_, err := RunClient(sel, ln.Addr().String(), 1, []string{"one\ntwo"}, wait)
		require.ErrorIsf(t, err, ErrNewlineInMessage,
			"a message with a newline would be sent as two lines; RunClient must refuse it. (README.md, Step 5)")
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
		if conn, err := ln.Accept(); err == nil {
			conn.Close()
			t.Fatalf("RunClient refused the message but connected first")
		}
	})
}
