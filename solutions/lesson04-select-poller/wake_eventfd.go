//go:build linux

package poller

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"
)

// waker lets another goroutine interrupt the loop's Select: the loop watches
// its descriptor, and signal makes it readable. On Linux it is an eventfd, a
// kernel counter that is readable while non-zero.
type waker struct {
	fd int
}

func newWaker() (*waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	return &waker{fd: fd}, nil
}

// readFD is the descriptor to register for EventRead.
func (w *waker) readFD() int { return w.fd }

// signal adds 1 to the counter. It may be called from any goroutine.
func (w *waker) signal() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	unix.Write(w.fd, one[:]) // EAGAIN only if the counter is full: it is readable already.
}

// drain resets the counter, so that the loop is not woken again for nothing.
func (w *waker) drain() {
	var buf [8]byte
	unix.Read(w.fd, buf[:])
}

// close closes the eventfd, once: it is marked -1, so a second call closes
// nothing (the number may belong to another file by then).
func (w *waker) close() {
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}
