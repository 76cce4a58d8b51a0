package goroutines

import (
	"errors"
	"syscall"
	"time"
)

// The pauses between Accept attempts after temporary failures: 5 ms, doubling
// each time, never more than 1 s. These are net/http's numbers.
const (
	firstAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay   = 1 * time.Second
)

// acceptDelay decides what Serve does after Accept failed with err, having
// paused last before this attempt (0 if the previous Accept succeeded). If
// err is temporary, it returns how long to pause before the next Accept:
// firstAcceptDelay, then twice the last pause, at most maxAcceptDelay. If err
// is not temporary, it returns err itself, and Serve returns it.
//
// Temporary means the process or the system ran out of something that
// closing connections gives back: file descriptors (EMFILE, ENFILE), buffer
// space or memory (ENOBUFS, ENOMEM); or the client gave up before it was
// accepted (ECONNABORTED). Returning would stop a server that is merely
// busy; retrying at once would spin, burning the CPU those connections need
// to finish.
//
// Go's own TCP listener never returns ECONNABORTED: its Accept retries at
// once by itself. The case is here for other net.Listener implementations,
// which may pass it on.
//
// Step 4. Use errors.Is(err, syscall.EMFILE) and so on. See README.md, "Step 4".
func acceptDelay(err error, last time.Duration) (time.Duration, error) {
	temporary := false
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, errno) {
			temporary = true
		}
	}
	if !temporary {
		return 0, err
	}
	if last == 0 {
		return firstAcceptDelay, nil
	}
	return min(2*last, maxAcceptDelay), nil
}
