//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package poller

import "errors"

// ErrUnsupported is what this lesson gives on systems without the Unix
// calls it is about (socket, epoll or kqueue, poll): Windows among them.
var ErrUnsupported = errors.New("lesson 4 needs a Unix kernel; use WSL")

// NewSelector reports ErrUnsupported: there is no Unix kernel here.
func NewSelector() (Selector, error) { return nil, ErrUnsupported }
