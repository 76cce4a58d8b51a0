//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pollSelector is a Selector over poll(2), which every Unix has. It is the
// simplest of the three: the whole list of watched descriptors lives in this
// process and goes to the kernel on every call, which scans all of it. That
// is why poll and select slow down as connections grow (the C10K problem),
// and why epoll and kqueue keep the list in the kernel instead.
type pollSelector struct {
	regs   registrations
	fds    []unix.PollFd // what poll(2) watches; regs[fd].at is fd's index here
	next   int           // where the next scan of fds starts (see Select)
	closed bool
}

// NewPollSelector returns a Selector over poll(2), on any Unix.
func NewPollSelector() (Selector, error) {
	return &pollSelector{}, nil
}

// Register appends fd to the poll list.
func (s *pollSelector) Register(fd int, events Events, data uint64) error {
	reg, err := s.regs.add(fd, events, data)
	if err != nil {
		return err
	}
	reg.at = int32(len(s.fds))
	s.fds = append(s.fds, unix.PollFd{Fd: int32(fd), Events: toPoll(events)})
	return nil
}

// Modify changes fd's entry in the poll list.
func (s *pollSelector) Modify(fd int, events Events, data uint64) error {
	reg, err := s.regs.get(fd)
	if err != nil {
		return err
	}
	reg.events, reg.data = events, data
	s.fds[reg.at].Events = toPoll(events)
	return nil
}

// Unregister removes fd from the poll list: the last entry moves into its place.
func (s *pollSelector) Unregister(fd int) error {
	reg, err := s.regs.get(fd)
	if err != nil {
		return err
	}
	at, last := reg.at, len(s.fds)-1
	if int(at) != last {
		moved := s.fds[last]
		s.fds[at] = moved
		if r, err := s.regs.get(int(moved.Fd)); err == nil {
			r.at = at
		}
	}
	s.fds = s.fds[:last]
	s.regs.remove(fd)
	return nil
}

// Select is poll(2), then a scan of the list for what is ready. When ready
// fills up before the scan ends, the next scan starts where this one
// stopped: always starting at index 0 would report the same first
// descriptors every time and never the ones behind them (epoll, for the
// same reason, moves what it reported to the back of its ready list).
func (s *pollSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	if s.closed {
		return 0, os.NewSyscallError("poll", unix.EBADF)
	}
	n, err := unix.Poll(s.fds, milliseconds(timeout))
	if err == unix.EINTR {
		return 0, nil // A signal arrived: not an error, the caller loops.
	}
	if err != nil {
		return 0, os.NewSyscallError("poll", err)
	}
	filled := 0
	for k := 0; k < len(s.fds) && n > 0; k++ {
		i := (s.next + k) % len(s.fds)
		if filled == len(ready) {
			s.next = i // Full: the rest are reported first next time.
			break
		}
		p := &s.fds[i]
		if p.Revents == 0 {
			continue
		}
		n--
		reg, err := s.regs.get(int(p.Fd))
		if err != nil {
			continue
		}
		if events := fromPoll(p.Revents) & (reg.events | EventError); events != 0 {
			ready[filled] = Event{FD: int(p.Fd), Events: events, Data: reg.data}
			filled++
		}
	}
	return filled, nil
}

// Close forgets every registration; poll keeps nothing in the kernel. A
// second Close returns os.ErrClosed, as the other selectors' do.
func (s *pollSelector) Close() error {
	if s.closed {
		return os.ErrClosed
	}
	s.fds, s.regs, s.closed = nil, registrations{}, true
	return nil
}

func toPoll(events Events) int16 {
	var bits int16
	if events&EventRead != 0 {
		bits |= unix.POLLIN
	}
	if events&EventWrite != 0 {
		bits |= unix.POLLOUT
	}
	return bits
}

func fromPoll(bits int16) Events {
	var events Events
	if bits&unix.POLLIN != 0 {
		events |= EventRead
	}
	if bits&unix.POLLOUT != 0 {
		events |= EventWrite
	}
	if bits&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
		events |= EventError
	}
	return events
}
