//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 1: the selector. Every backend (epoll or kqueue, and poll) passes
// the same tests.

// selectNow calls Select with timeout and returns what it reported.
func selectNow(t *testing.T, sel Selector, timeout time.Duration) []Event {
	t.Helper()
	ready := make([]Event, 64)
	n, err := sel.Select(ready, timeout)
	requireDone(t, 1, "Select", err)
	require.NoError(t, err, "Select failed. (README.md, Step 1)")
	return ready[:n]
}

// register registers fd or fails the test, naming the step.
func register(t *testing.T, sel Selector, fd int, events Events, data uint64) {
	t.Helper()
	err := sel.Register(fd, events, data)
	requireDone(t, 1, "Register", err)
	require.NoErrorf(t, err, "Register(%d, %v, %d) failed. (README.md, Step 1)", fd, events, data)
}

func closeSelector(t *testing.T, sel Selector) {
	t.Cleanup(func() { sel.Close() })
}

func TestStep1_ReportsAReadableDescriptorWithItsData(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, b := socketPair(t)
		register(t, sel, a, EventRead, 42)
		unix.Write(b, []byte("ping"))

		got := selectNow(t, sel, wait)
		require.Equalf(t, []Event{{FD: a, Events: EventRead, Data: 42}}, got,
			"registered fd %d for EventRead with data 42 and wrote 4 bytes to its peer; Select must report exactly that fd, readable, with its data. (README.md, Step 1)", a)
	})
}

func TestStep1_WaitsForTheTimeoutWhenNothingIsReady(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, _ := socketPair(t)
		register(t, sel, a, EventRead, 1)

		began := time.Now()
		got := selectNow(t, sel, 50*time.Millisecond)
		took := time.Since(began)
		require.Emptyf(t, got, "nothing was written, yet Select reported %v. (README.md, Step 1)", got)
		require.GreaterOrEqualf(t, took, 40*time.Millisecond,
			"Select(50ms) with nothing ready returned after %s: it must wait for the timeout. Either the timeout became 0 (convert it with milliseconds(timeout), which rounds up), or the kernel woke Select for something it then did not report: ask the kernel only for the events registered (toEpoll(events)). (README.md, Step 1, Hint)", took)
	})
}

func TestStep1_WakesUpWhenADescriptorBecomesReady(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, b := socketPair(t)
		register(t, sel, a, EventRead, 7)
		go unix.Write(b, []byte("x")) // While Select waits, from another goroutine.

		got := selectNow(t, sel, -1) // Negative: wait for ever (the test has its own deadline).
		require.Equal(t, []Event{{FD: a, Events: EventRead, Data: 7}}, got,
			"Select(-1) must wait until fd is readable and report it. (README.md, Step 1)")
	})
}

func TestStep1_IsLevelTriggered(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, b := socketPair(t)
		register(t, sel, a, EventRead, 1)
		unix.Write(b, []byte("unread"))

		for i := range 3 {
			got := selectNow(t, sel, wait)
			require.Lenf(t, got, 1,
				"call %d: the bytes are still unread, so Select must report fd %d again (level-triggered; do not use EPOLLET or EV_CLEAR). Got %v. (README.md, Step 1)", i+1, a, got)
		}
		unix.Read(a, make([]byte, 64))
		got := selectNow(t, sel, 20*time.Millisecond)
		require.Emptyf(t, got, "after reading everything, Select still reported %v. (README.md, Step 1)", got)
	})
}

func TestStep1_ReportsOnlyWhatWasAskedFor(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, _ := socketPair(t)
		// An empty socket is writable (its send buffer has room) but not readable.
		register(t, sel, a, EventRead, 1)
		got := selectNow(t, sel, 20*time.Millisecond)
		require.Emptyf(t, got, "fd %d is registered for EventRead only and nothing was written, yet Select reported %v: ask the kernel only for the events registered (toEpoll(events); with kqueue, one filter per event) and report only those. (README.md, Step 1, Hint)", a, got)

		err := sel.Modify(a, EventWrite, 2)
		requireDone(t, 1, "Modify", err)
		require.NoError(t, err)
		got = selectNow(t, sel, wait)
		require.Equalf(t, []Event{{FD: a, Events: EventWrite, Data: 2}}, got,
			"after Modify(%d, EventWrite, 2), Select must report fd %d writable with the new data 2. (README.md, Step 1)", a, a)

		require.NoError(t, sel.Modify(a, EventRead, 3))
		got = selectNow(t, sel, 20*time.Millisecond)
		require.Emptyf(t, got, "after Modify back to EventRead only, Select reported %v: a socket with room to write must not be reported unless asked. Modify must tell the kernel whenever the events change (EPOLL_CTL_MOD; with kqueue, delete the EVFILT_WRITE filter). (README.md, Step 1, Hint)", got)
	})
}

func TestStep1_StopsReportingAfterUnregister(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, b := socketPair(t)
		register(t, sel, a, EventRead, 1)
		unix.Write(b, []byte("x"))

		err := sel.Unregister(a)
		requireDone(t, 1, "Unregister", err)
		require.NoError(t, err)
		got := selectNow(t, sel, 20*time.Millisecond)
		require.Emptyf(t, got, "fd %d was unregistered, yet Select reported %v. (README.md, Step 1)", a, got)

		require.ErrorIsf(t, sel.Unregister(a), ErrNotRegistered, "unregistering fd %d twice must fail with ErrNotRegistered: Unregister looks the fd up with s.regs.get and forgets it with s.regs.remove. (README.md, Step 1)", a)
		require.ErrorIsf(t, sel.Modify(a, EventRead, 1), ErrNotRegistered, "modifying unregistered fd %d must fail with ErrNotRegistered. (README.md, Step 1)", a)
		register(t, sel, a, EventRead, 5) // Registering again is fine.
		require.ErrorIsf(t, sel.Register(a, EventRead, 6), ErrAlreadyRegistered, "registering fd %d twice must fail with ErrAlreadyRegistered: return the error of s.regs.add before asking the kernel. (README.md, Step 1)", a)
	})
}

func TestStep1_ReportsTheEndOfTheStream(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		a, b := socketPair(t)
		register(t, sel, a, EventRead, 1)
		unix.Close(b) // The peer hangs up.

		got := selectNow(t, sel, wait)
		require.Lenf(t, got, 1, "the peer closed; Select must report fd %d so that the loop reads the end of the stream. Got %v. (README.md, Step 1)", a, got)
		require.NotZerof(t, got[0].Events&(EventRead|EventError),
			"the peer closed; got events %v: want EventRead (a read then returns 0), possibly with EventError. (README.md, Step 1)", got[0].Events)
		n, err := unix.Read(a, make([]byte, 8))
		require.Equal(t, 0, n, "a read after the hang-up returns 0 bytes: the end of the stream")
		require.NoError(t, err)
	})
}

func TestStep1_ReportsManyDescriptorsAcrossCalls(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		closeSelector(t, sel)
		var want []int
		for i := range 150 {
			a, b := socketPair(t)
			register(t, sel, a, EventRead, uint64(1000+a))
			if i%3 == 0 {
				unix.Write(b, []byte("x"))
				want = append(want, a)
			}
		}
		// A small ready slice: Select fills at most len(ready) and the rest
		// come in the next calls, since nothing is read (level-triggered).
		seen := map[int]bool{}
		ready := make([]Event, 8)
		for range 100 {
			n, err := sel.Select(ready, 100*time.Millisecond)
			requireDone(t, 1, "Select", err)
			require.NoError(t, err)
			if n == 0 {
				break // All read.
			}
			require.LessOrEqualf(t, n, len(ready), "Select returned %d events for a slice of %d", n, len(ready))
			for _, ev := range ready[:n] {
				require.Equalf(t, uint64(1000+ev.FD), ev.Data, "fd %d came back with data %d, not the data it was registered with", ev.FD, ev.Data)
				seen[ev.FD] = true
				unix.Read(ev.FD, make([]byte, 8)) // Consumed: not reported again.
			}
		}
		var got []int
		for fd := range seen {
			got = append(got, fd)
		}
		slices.Sort(got)
		require.Equalf(t, want, got, "%d of 150 descriptors were readable; Select, called until all were read, must report exactly those. (README.md, Step 1)", len(want))
	})
}

func TestStep1_FailsAfterClose(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		before, counted := openFDs()
		sel := newSelector()
		err := sel.Close()
		requireDone(t, 1, "Close", err)
		require.NoError(t, err, "Close failed")
		if after, _ := openFDs(); counted && after > before {
			t.Fatalf("before the selector was created this process had %d descriptors open; after its Close, %d: Close must close the kernel object (the epoll or kqueue descriptor), not only mark it -1. (README.md, Step 1)", before, after)
		}
		_, err = sel.Select(make([]Event, 4), 0)
		requireDone(t, 1, "Select", err)
		require.Error(t, err, "Select on a closed selector must fail, not wait. (README.md, Step 1)")
		require.False(t, errors.Is(err, ErrNotRegistered))
	})
}
