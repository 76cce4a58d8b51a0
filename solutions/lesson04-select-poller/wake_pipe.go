//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// waker lets another goroutine interrupt the loop's Select: the loop watches
// the read end of a pipe, and signal writes a byte to the other end (the
// classic self-pipe trick; Linux has eventfd for it).
type waker struct {
	r, w int
}

func newWaker() (*waker, error) {
	// Hold ForkLock between pipe and close-on-exec, as newSocket does, so
	// that a fork in between cannot leak the pipe into a child process.
	// (The BSDs have pipe2 with O_CLOEXEC; macOS does not.)
	var p [2]int
	syscall.ForkLock.RLock()
	err := unix.Pipe(p[:])
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, os.NewSyscallError("pipe", err)
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, os.NewSyscallError("fcntl", err)
		}
	}
	return &waker{r: p[0], w: p[1]}, nil
}

// readFD is the descriptor to register for EventRead.
func (w *waker) readFD() int { return w.r }

// signal writes one byte. It may be called from any goroutine. EAGAIN means
// the pipe is full: it is readable already, which is all that matters.
func (w *waker) signal() { unix.Write(w.w, []byte{1}) }

// drain empties the pipe, so that the loop is not woken again for nothing.
func (w *waker) drain() {
	var buf [64]byte
	for {
		if n, _ := unix.Read(w.r, buf[:]); n <= 0 {
			return
		}
	}
}

// close closes both ends of the pipe, once: they are marked -1, so a second
// call closes nothing (the numbers may belong to other files by then).
func (w *waker) close() {
	if w.r < 0 {
		return
	}
	unix.Close(w.r)
	unix.Close(w.w)
	w.r, w.w = -1, -1
}
