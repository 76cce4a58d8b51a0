//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
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
	// TODO(step 1): create the kqueue (unix.Kqueue), close-on-exec, and the events slice.
	return nil, notImplemented("step 1: NewKqueueSelector")
}

// Register adds a read filter, a write filter, or both (EV_ADD).
func (s *kqueueSelector) Register(fd int, events Events, data uint64) error {
	// TODO(step 1): record the registration, then add its filters (s.apply).
	return notImplemented("step 1: Register")
}

// Modify adds the filters that are new and deletes the ones no longer wanted.
func (s *kqueueSelector) Modify(fd int, events Events, data uint64) error {
	// TODO(step 1): update the registration and its filters.
	return notImplemented("step 1: Modify")
}

// Unregister deletes fd's filters (EV_DELETE).
func (s *kqueueSelector) Unregister(fd int) error {
	// TODO(step 1): forget the registration and delete its filters.
	return notImplemented("step 1: Unregister")
}

// apply moves fd's filters from what it had to what it wants, in one kevent call.
func (s *kqueueSelector) apply(fd int, had, wants Events) error {
	// TODO(step 1): one kevent call with an EV_ADD or EV_DELETE per filter that changes.
	return notImplemented("step 1: apply")
}

// Select is kevent with an empty change list. A fd ready for reading and
// writing comes back as two kevents; report merges them into one Event, as
// Python's KqueueSelector does.
func (s *kqueueSelector) Select(ready []Event, timeout time.Duration) (int, error) {
	// TODO(step 1): kevent with no changes, then one Event per ready fd (report merges read and write).
	return 0, notImplemented("step 1: Select")
}

// Close closes the kqueue descriptor, once: it is marked -1, and a second
// Close returns os.ErrClosed instead of closing a number that may have been
// given to another file since.
func (s *kqueueSelector) Close() error {
	// TODO(step 1): close the kqueue descriptor once, then mark it -1 (a second Close: os.ErrClosed).
	return notImplemented("step 1: Close")
}
