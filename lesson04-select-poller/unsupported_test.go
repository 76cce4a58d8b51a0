//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package poller

import "testing"

func TestLesson4NeedsAUnixKernel(t *testing.T) {
	t.Skip("lesson 4 needs a Unix kernel; use WSL")
}
