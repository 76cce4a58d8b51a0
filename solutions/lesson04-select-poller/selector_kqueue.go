//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// nativeSelector names the backend NewSelector picks on this system.
const nativeSelector = "kqueue"

// NewSelector returns the best selector for this kernel: kqueue on macOS and
// the BSDs.
func NewSelector() (Selector, error) { return NewKqueueSelector() }

// kqueueSelector is a Selector over kqueue. Where epoll has one registration
// per fd with a set of events, kqueue has one per (fd, filter): reading and
// writing are separate filters, added and deleted one by one, and each ready
// filter comes back as its own kevent.
type kqueueSelector struct {
	kq      int
	regs    registrations
	changes []unix.Kevent_t // changes for the next kevent call
	events  []unix.Kevent_t // filled by kevent, reused by every Select
	round   uint64          // counts Select calls, to merge two kevents for one fd (see report)
}

// NewKqueueSelector creates a kqueue.
//
// Step 1 (macOS, BSD). Create the kqueue and make it close-on-exec, and a
// slice of unix.Kevent_t for Select to reuse. See README.md, "Step 1".
func NewKqueueSelector() (Selector, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	return &kqueueSelector{kq: kq, events: make([]unix.Kevent_t, 256)}, nil
}

// Register adds a read filter, a write filter, or both (EV_ADD).
func (s *kqueueSelector) Register(fd int, events Events, data uint64) error {
	if _, err := s.regs.add(fd, events, data); err != nil {
		return err
	}
	if err := s.apply(fd, 0, events); err != nil {
		s.regs.remove(fd)
		return err
	}
	return nil
}

// Modify adds the filters that are new and deletes the ones no longer wanted.
func (s *kqueueSelector) Modify(fd int, events Events, data uint64) error {
	reg, err := s.regs.get(fd)
	if err != nil {
		return err
	}
	reg.data = data
	if err := s.apply(fd, reg.events, events); err != nil {
		return err
	}
	reg.events = events
	return nil
}

// Unregister deletes fd's filters (EV_DELETE).
func (s *kqueueSelector) Unregister(fd int) error {
	reg, err := s.regs.get(fd)
	if err != nil {
		return err
	}
	was := reg.events
	s.regs.remove(fd)
	return s.apply(fd, was, 0)
}

// apply moves fd's filters from what it had to what it wants, in one kevent call.
func (s *kqueueSelector) apply(fd int, had, wants Events) error {
	s.changes = s.changes[:0]
	for _, f := range [...]struct {
		event  Events
		filter int
	}{{EventRead, unix.EVFILT_READ}, {EventWrite, unix.EVFILT_WRITE}} {
		var k unix.Kevent_t
		switch {
		case wants&f.event != 0 && had&f.event == 0:
			unix.SetKevent(&k, fd, f.filter, unix.EV_ADD)
		case wants&f.event == 0 && had&f.event != 0:
			unix.SetKevent(&k, fd, f.filter, unix.EV_DELETE)
		default:
			continue
		}
		s.changes = append(s.changes, k)
	}
	if len(s.changes) == 0 {
		return nil
	}
	if _, err := unix.Kevent(s.kq, s.changes, nil, nil); err != nil {
		return os.NewSyscallError("kevent", err)
	}
	return nil
}

// Select is kevent with an empty change list. A fd ready for reading and
// writing comes back as two kevents; report merges them into one Event, as
// Python's KqueueSelector does.
func (s *kqueueSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	max := min(len(ready), len(s.events))
	if max == 0 {
		return 0, nil
	}
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(min(timeout, maxWait)))
		ts = &t
	}
	n, err := unix.Kevent(s.kq, nil, s.events[:max], ts)
	if err == unix.EINTR {
		return 0, nil // A signal arrived: not an error, the caller loops.
	}
	if err != nil {
		return 0, os.NewSyscallError("kevent", err)
	}
	s.round++
	filled := 0
	for _, k := range s.events[:n] {
		fd := int(k.Ident)
		reg, err := s.regs.get(fd)
		if err != nil {
			continue
		}
		var events Events
		switch int(k.Filter) {
		case unix.EVFILT_READ:
			events = EventRead // With EV_EOF too: the read returns 0, the end.
		case unix.EVFILT_WRITE:
			events = EventWrite
			if k.Flags&unix.EV_EOF != 0 {
				events |= EventError // The peer is gone: the write will say why.
			}
		}
		if k.Flags&unix.EV_ERROR != 0 {
			events |= EventError
		}
		events &= reg.events | EventError
		if events == 0 {
			continue
		}
		filled = report(ready, filled, reg, s.round, fd, events)
	}
	return filled, nil
}

// Close closes the kqueue descriptor, once: it is marked -1, and a second
// Close returns os.ErrClosed instead of closing a number that may have been
// given to another file since.
func (s *kqueueSelector) Close() error {
	if s.kq < 0 {
		return os.ErrClosed
	}
	err := unix.Close(s.kq)
	s.kq = -1
	return os.NewSyscallError("close", err)
}
