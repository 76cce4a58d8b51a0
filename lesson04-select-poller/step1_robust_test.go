//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Step 1, the corners: what a selector must get right beyond the common case.

func TestStep1_ReportsEveryReadyDescriptorInTurn(t *testing.T) {
	const pairs = 300 // More ready descriptors than one Select reports (256).
	if limit := fdLimit(); limit < 2*pairs+100 {
		t.Skipf("this process may open %d descriptors; the test needs %d (ulimit -n)", limit, 2*pairs+100)
	}
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		defer sel.Close()
		for i := range pairs {
			a, b := socketPair(t)
			require.NoError(t, sel.Register(a, EventRead, uint64(i)))
			unix.Write(b, []byte("x")) // a stays readable: nobody reads it.
		}
		seen := make(map[uint64]bool)
		ready := make([]Event, 256)
		for range 2 {
			n, err := sel.Select(ready, wait)
			require.NoError(t, err)
			for _, ev := range ready[:n] {
				seen[ev.Data] = true
			}
		}
		require.Equalf(t, pairs, len(seen),
			"%d descriptors stay readable and each Select reports up to %d; two Selects reported only %d different ones: the same first ones every time, and the others starve. The next Select must start where the last one stopped. (README.md, Step 1)",
			pairs, len(ready), len(seen))
	})
}

func TestStep1_ClosingTwiceClosesNothingElse(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		require.NoError(t, sel.Close())
		// The kernel gives the lowest free number: this pipe is likely to
		// get the one the selector had.
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer r.Close()
		defer w.Close()
		require.Errorf(t, sel.Close(), "a second Close must return an error (os.ErrClosed): the descriptor is gone. (README.md, Step 1)")
		_, err = w.Write([]byte("still open"))
		require.NoErrorf(t, err, "a second Close of the selector closed a pipe opened after the first: the number was reused. Close once, then mark the descriptor -1. (README.md, Step 1)")
	})
}

func TestStep1_WaitsALongTimeoutWithoutWrapping(t *testing.T) {
	eachBackend(t, 1, func(t *testing.T, newSelector func() Selector) {
		sel := newSelector()
		defer sel.Close()
		a, b := socketPair(t)
		require.NoError(t, sel.Register(a, EventRead, 1))
		// 2^32 ms + 100 ms: as a 32-bit count of milliseconds it is 100 ms.
		long := (1<<32 + 100) * time.Millisecond
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			n, err := sel.Select(make([]Event, 1), long)
			done <- result{n, err}
		}()
		select {
		case r := <-done:
			t.Fatalf("Select with a timeout of %s returned after less than a second (%d ready, %v): the timeout wrapped around. Cap it (maxWait) before converting it to milliseconds. (README.md, Step 1)", long, r.n, r.err)
		case <-time.After(time.Second):
		}
		unix.Write(b, []byte("x")) // Now wake it.
		select {
		case r := <-done:
			require.NoError(t, r.err)
			require.Equal(t, 1, r.n)
		case <-time.After(wait):
			t.Fatalf("Select did not return %s after its descriptor became readable", wait)
		}
	})
}

func TestStep1_MergesTwoReadinessesOfOneDescriptorInARound(t *testing.T) {
	requireSteps(t, 1)
	// report is kqueue's merging, testable on any system.
	var regs registrations
	reg, err := regs.add(7, EventRead|EventWrite, 42)
	require.NoError(t, err)
	ready := make([]Event, 4)
	// A round number past 2^32: a 32-bit counter would be back at 0 here,
	// the mark of a fresh registration, and merge into a stale entry.
	round := uint64(1) << 32
	filled := report(ready, 0, reg, round, 7, EventRead)
	filled = report(ready, filled, reg, round, 7, EventWrite)
	require.Equal(t, 1, filled, "two kevents for one fd in one round make one Event")
	require.Equal(t, Event{FD: 7, Events: EventRead | EventWrite, Data: 42}, ready[0])
	filled = report(ready, 0, reg, round+1, 7, EventWrite)
	require.Equal(t, 1, filled)
	require.Equal(t, Event{FD: 7, Events: EventWrite, Data: 42}, ready[0], "a new round starts a new Event")
}
