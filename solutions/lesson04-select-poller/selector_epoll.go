//go:build linux

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// nativeSelector names the backend NewSelector picks on this system.
const nativeSelector = "epoll"

// NewSelector returns the best selector for this kernel: epoll on Linux.
func NewSelector() (Selector, error) { return NewEpollSelector() }

// epollSelector is a Selector over Linux's epoll: the kernel keeps the set
// of watched descriptors, so a Select costs the same with ten connections or
// ten thousand (poll and select pass the whole set on every call).
type epollSelector struct {
	epfd   int
	regs   registrations
	events []unix.EpollEvent // filled by epoll_wait, reused by every Select
}

// NewEpollSelector creates an epoll instance (epoll_create1).
//
// Step 1 (Linux). Create the epoll descriptor with EPOLL_CLOEXEC, and a
// slice of unix.EpollEvent for Select to reuse. See README.md, "Step 1".
func NewEpollSelector() (Selector, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &epollSelector{epfd: epfd, events: make([]unix.EpollEvent, 256)}, nil
}

// Register is epoll_ctl(EPOLL_CTL_ADD).
func (s *epollSelector) Register(fd int, events Events, data uint64) error {
	if _, err := s.regs.add(fd, events, data); err != nil {
		return err
	}
	ev := unix.EpollEvent{Events: toEpoll(events), Fd: int32(fd)}
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		s.regs.remove(fd)
		return os.NewSyscallError("epoll_ctl add", err)
	}
	return nil
}

// Modify is epoll_ctl(EPOLL_CTL_MOD), skipped when only the data changes.
func (s *epollSelector) Modify(fd int, events Events, data uint64) error {
	reg, err := s.regs.get(fd)
	if err != nil {
		return err
	}
	reg.data = data
	if reg.events == events {
		return nil // A system call saved: the kernel already watches this.
	}
	ev := unix.EpollEvent{Events: toEpoll(events), Fd: int32(fd)}
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl mod", err)
	}
	reg.events = events
	return nil
}

// Unregister is epoll_ctl(EPOLL_CTL_DEL).
func (s *epollSelector) Unregister(fd int) error {
	if _, err := s.regs.get(fd); err != nil {
		return err
	}
	s.regs.remove(fd)
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return os.NewSyscallError("epoll_ctl del", err)
	}
	return nil
}

// Select is epoll_wait.
func (s *epollSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	max := min(len(ready), len(s.events))
	if max == 0 {
		return 0, nil
	}
	n, err := unix.EpollWait(s.epfd, s.events[:max], milliseconds(timeout))
	if err == unix.EINTR {
		return 0, nil // A signal arrived: not an error, the caller loops.
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	filled := 0
	for _, ev := range s.events[:n] {
		fd := int(ev.Fd)
		reg, err := s.regs.get(fd)
		if err != nil {
			continue
		}
		if events := fromEpoll(ev.Events) & (reg.events | EventError); events != 0 {
			ready[filled] = Event{FD: fd, Events: events, Data: reg.data}
			filled++
		}
	}
	return filled, nil
}

// Close closes the epoll descriptor, once: it is marked -1, and a second
// Close returns os.ErrClosed instead of closing a number that may have been
// given to another file since.
func (s *epollSelector) Close() error {
	if s.epfd < 0 {
		return os.ErrClosed
	}
	err := unix.Close(s.epfd)
	s.epfd = -1
	return os.NewSyscallError("close", err)
}

// toEpoll translates Events into epoll's bits. EPOLLERR and EPOLLHUP need
// no asking: epoll always reports them.
func toEpoll(events Events) uint32 {
	var bits uint32
	if events&EventRead != 0 {
		bits |= unix.EPOLLIN
	}
	if events&EventWrite != 0 {
		bits |= unix.EPOLLOUT
	}
	return bits
}

// fromEpoll translates what epoll_wait reported into Events.
func fromEpoll(bits uint32) Events {
	var events Events
	if bits&unix.EPOLLIN != 0 {
		events |= EventRead
	}
	if bits&unix.EPOLLOUT != 0 {
		events |= EventWrite
	}
	if bits&(unix.EPOLLERR|unix.EPOLLHUP) != 0 {
		events |= EventError
	}
	return events
}
