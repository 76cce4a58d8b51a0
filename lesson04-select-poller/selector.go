package poller

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// A Selector watches many file descriptors and says which are ready: Go's
// version of Python's selectors.BaseSelector. Register a descriptor with the
// events it waits for and a number of your own (data); Select then blocks
// until some are ready and reports each with that number.
//
// Readiness is level-triggered, as in Python: a descriptor is reported again
// by every Select for as long as it stays ready (unread data, room to write).
// So ask for EventWrite only while there is something to write, or every
// Select returns at once and the loop spins.
//
// A Selector belongs to one goroutine: it is not safe for concurrent use.
type Selector interface {
	// Register starts watching fd for events, remembering data with it.
	// Registering an fd twice is an error (ErrAlreadyRegistered).
	Register(fd int, events Events, data uint64) error
	// Modify changes what fd is watched for, and its data.
	Modify(fd int, events Events, data uint64) error
	// Unregister stops watching fd. Call it before closing fd: the kernel
	// reuses descriptor numbers, and a stale registration would report the
	// next socket that gets the same number.
	Unregister(fd int) error
	// Select waits until at least one registered fd is ready, or timeout
	// passes (a negative timeout waits for ever, zero does not wait), and
	// fills ready with what is ready. It returns how many entries it filled:
	// at most len(ready); the rest are reported by the next call. A timeout
	// longer than maxWait (about 11 days) waits maxWait and returns 0, as
	// if nothing came: the caller loops, as it does after EINTR.
	Select(ready []Event, timeout time.Duration) (int, error)
	// Close releases the kernel object behind the selector (the epoll or
	// kqueue descriptor). It does not close the registered descriptors.
	// A second Close returns an error and closes nothing: by then the
	// descriptor's number may belong to another file.
	Close() error
}

// Events is a set of readiness conditions: what a registration waits for, and
// what Select reports.
type Events uint8

const (
	// EventRead: bytes to read, the end of the stream (a read returns 0), or,
	// on a listening socket, a connection waiting to be accepted.
	EventRead Events = 1 << iota
	// EventWrite: room in the socket's send buffer, or a non-blocking connect
	// that has finished (successfully or not: ask SO_ERROR).
	EventWrite
	// EventError: an error or a hang-up on fd. It is reported even when not
	// asked for (the kernel always reports it), and the next read or write on
	// fd returns the error itself.
	EventError
)

// String names the events, as the code does: "EventRead|EventWrite", or
// "0" for none. Test failures print Events this way.
func (e Events) String() string {
	if e == 0 {
		return "0"
	}
	var names []string
	for _, ev := range []struct {
		bit  Events
		name string
	}{{EventRead, "EventRead"}, {EventWrite, "EventWrite"}, {EventError, "EventError"}} {
		if e&ev.bit != 0 {
			names = append(names, ev.name)
			e &^= ev.bit
		}
	}
	if e != 0 {
		names = append(names, fmt.Sprintf("Events(%#x)", uint8(e)))
	}
	return strings.Join(names, "|")
}

// GoString is String: %#v, which testify uses to show values that differ,
// then prints Events{FD: 5, Events: EventRead, ...} rather than 0x1.
func (e Events) GoString() string { return e.String() }

// Event is one ready file descriptor, with the data it was registered with:
// Python's (key, mask) pair from selector.select().
type Event struct {
	FD     int
	Events Events
	Data   uint64
}

// ErrAlreadyRegistered and ErrNotRegistered are Python's KeyError from
// register, modify and unregister.
var (
	ErrAlreadyRegistered = errors.New("file descriptor is already registered")
	ErrNotRegistered     = errors.New("file descriptor is not registered")
)

// registrations remembers, for each registered fd, its events and data.
// epoll and kqueue tell Select only which fd is ready; the data comes from
// here.
type registrations struct {
	byFD fdTable[registration]
}

type registration struct {
	used   bool
	events Events
	at     int32  // poll: index in the pollfd array; kqueue: index in ready
	mark   uint64 // kqueue: the Select call that last reported this fd
	data   uint64
}

// add records a new registration for fd.
func (r *registrations) add(fd int, events Events, data uint64) (*registration, error) {
	if fd < 0 {
		return nil, errors.New("negative file descriptor")
	}
	reg := r.byFD.grow(fd)
	if reg.used {
		return nil, ErrAlreadyRegistered
	}
	*reg = registration{used: true, events: events, data: data}
	return reg, nil
}

// get returns fd's registration, or ErrNotRegistered.
func (r *registrations) get(fd int) (*registration, error) {
	if reg := r.byFD.at(fd); reg != nil && reg.used {
		return reg, nil
	}
	return nil, ErrNotRegistered
}

// remove forgets fd's registration.
func (r *registrations) remove(fd int) {
	if reg := r.byFD.at(fd); reg != nil {
		*reg = registration{}
	}
}

// maxWait is the longest one Select sleeps in the kernel: 1e9 ms, about 11.5
// days, the cap Go's own runtime poller uses. epoll_wait and poll take their
// timeout in milliseconds as a C int: 2^32+100 ms would become 100 ms, and 25
// days a negative number, which means "for ever". A capped wait that ends
// with nothing ready looks like an interrupted one, and the caller loops.
const maxWait = 1e9 * time.Millisecond

// milliseconds converts a Select timeout for epoll_wait and poll: -1 waits
// for ever, a positive timeout is rounded up, so that 300µs does not become
// 0 (no wait at all) and make the caller spin, and capped at maxWait.
func milliseconds(timeout time.Duration) int {
	if timeout < 0 {
		return -1
	}
	if timeout > maxWait {
		timeout = maxWait
	}
	return int((timeout + time.Millisecond - 1) / time.Millisecond)
}
