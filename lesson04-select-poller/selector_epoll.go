//go:build linux

package poller

import (
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
	// TODO(step 1): create the epoll descriptor (unix.EpollCreate1) and the events slice.
	return nil, notImplemented("step 1: NewEpollSelector")
}

// Register is epoll_ctl(EPOLL_CTL_ADD).
func (s *epollSelector) Register(fd int, events Events, data uint64) error {
	// TODO(step 1): record the registration (s.regs.add), then EPOLL_CTL_ADD.
	return notImplemented("step 1: Register")
}

// Modify is epoll_ctl(EPOLL_CTL_MOD), skipped when only the data changes.
func (s *epollSelector) Modify(fd int, events Events, data uint64) error {
	// TODO(step 1): update the registration, then EPOLL_CTL_MOD if the events changed.
	return notImplemented("step 1: Modify")
}

// Unregister is epoll_ctl(EPOLL_CTL_DEL).
func (s *epollSelector) Unregister(fd int) error {
	// TODO(step 1): forget the registration, then EPOLL_CTL_DEL.
	return notImplemented("step 1: Unregister")
}

// Select is epoll_wait.
func (s *epollSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	// TODO(step 1): epoll_wait, then one Event per ready fd, with its registered data.
	return 0, notImplemented("step 1: Select")
}

// Close closes the epoll descriptor, once: it is marked -1, and a second
// Close returns os.ErrClosed instead of closing a number that may have been
// given to another file since.
func (s *epollSelector) Close() error {
	// TODO(step 1): close the epoll descriptor once, then mark it -1 (a second Close: os.ErrClosed).
	return notImplemented("step 1: Close")
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
