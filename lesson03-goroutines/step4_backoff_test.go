package goroutines

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 4: Accept errors such as EMFILE are retried, with backoff.

// emfile is the error Accept returns when the process has no file descriptor
// left for the new connection: "too many open files".
var emfile = &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}

func TestStep4_AcceptDelayDoublesFrom5msUpTo1s(t *testing.T) {
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000}
	var got []time.Duration
	last := time.Duration(0)
	for range want {
		next, err := acceptDelay(emfile, last)
		requireDone(t, 4, "acceptDelay", err)
		require.NoErrorf(t, err, "acceptDelay(EMFILE, %s) returned an error: EMFILE (too many open files) is temporary, retry it. (README.md, Step 4)", last)
		got = append(got, next/time.Millisecond)
		last = next
	}
	require.Equalf(t, want, got,
		"successive pauses (in ms) after EMFILE: start at 5ms, double each time, never above 1s. (README.md, Step 4)")
}

func TestStep4_AcceptDelayRetriesWhatClosingConnectionsGivesBack(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		err := &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", errno)}
		delay, got := acceptDelay(err, 0)
		requireDone(t, 4, "acceptDelay", got)
		require.NoErrorf(t, got, "Accept failed with %v: that is temporary, retry after a pause. (README.md, Step 4)", err)
		require.Equalf(t, 5*time.Millisecond, delay, "the first pause after %v", err)
	}
}

func TestStep4_AcceptDelayGivesUpOnOtherErrors(t *testing.T) {
	broken := errors.New("the listener is broken")
	_, err := acceptDelay(broken, 0)
	requireDone(t, 4, "acceptDelay", err)
	require.ErrorIsf(t, err, broken,
		"an Accept error that is not temporary must be returned as it is, so that Serve returns it; got %v. (README.md, Step 4)", err)
}

// flakyListener is a fake net.Listener: its first few Accepts fail with
// EMFILE, as when the process has run out of file descriptors; then it
// accepts from a real listener.
type flakyListener struct {
	net.Listener
	mu       sync.Mutex
	failures int // Accepts left to fail
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	fail := l.failures > 0
	if fail {
		l.failures--
	}
	l.mu.Unlock()
	if fail {
		return nil, emfile
	}
	return l.Listener.Accept()
}

func TestStep4_ServeBacksOffAndContinues(t *testing.T) {
	if _, err := acceptDelay(emfile, 0); errors.Is(err, ErrNotImplemented) {
		requireDone(t, 4, "acceptDelay", err)
	}
	var mu sync.Mutex
	var pauses []time.Duration
	srv := &Server{sleep: func(d time.Duration) { // Record the pause instead of sleeping.
		mu.Lock()
		pauses = append(pauses, d)
		mu.Unlock()
	}}
	s := startServer(t, srv, &flakyListener{Listener: listenTCP(t), failures: 3})

	c := dial(t, s.ln.Addr())
	s.serve.expectEchoStep(t, c, "after three failures\n",
		"Accept failed three times with EMFILE and then would have worked. When acceptDelay says retry, pause (s.pause) and Accept again.", 4)
	mu.Lock()
	got := fmt.Sprint(pauses)
	mu.Unlock()
	require.Equalf(t, "[5ms 10ms 20ms]", got,
		"after three EMFILEs in a row, Serve must pause 5ms, 10ms, then 20ms, with s.pause(delay), passing acceptDelay the last pause. (README.md, Step 4)")
	require.Containsf(t, s.log.String(), "retrying in 5ms",
		`each retry is logged: s.logf("accept: %%v; retrying in %%s", err, delay). The log was:\n%s`, s.log)
}

func TestStep4_BackoffStartsAgainAfterASuccess(t *testing.T) {
	if _, err := acceptDelay(emfile, 0); errors.Is(err, ErrNotImplemented) {
		requireDone(t, 4, "acceptDelay", err)
	}
	var mu sync.Mutex
	var pauses []time.Duration
	flaky := &flakyListener{Listener: listenTCP(t), failures: 2}
	srv := &Server{sleep: func(d time.Duration) {
		mu.Lock()
		pauses = append(pauses, d)
		mu.Unlock()
	}}
	s := startServer(t, srv, flaky)
	c := dial(t, s.ln.Addr())
	s.serve.expectEchoStep(t, c, "one\n", "When acceptDelay says retry, pause (s.pause) and Accept again.", 4)

	flaky.mu.Lock()
	flaky.failures = 1
	flaky.mu.Unlock()
	d := dial(t, s.ln.Addr())
	s.serve.expectEchoStep(t, d, "two\n", "When acceptDelay says retry, pause (s.pause) and Accept again.", 4)
	d2 := dial(t, s.ln.Addr())
	s.serve.expectEchoStep(t, d2, "three\n", "When acceptDelay says retry, pause (s.pause) and Accept again.", 4)
	mu.Lock()
	got := fmt.Sprint(pauses)
	mu.Unlock()
	require.Equalf(t, "[5ms 10ms 5ms]", got,
		"after a successful Accept the backoff starts again from 5ms: set delay back to 0 when Accept succeeds. (README.md, Step 4)")
}
