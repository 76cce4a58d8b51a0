//go:build !linux

package hostile

import (
	"errors"
	"os/exec"
)

// withNoFile is Linux only: the cases that need it say so in their Needs.
func withNoFile(n int, path string, args []string) (*exec.Cmd, error) {
	return nil, errors.New("a descriptor limit for the server needs Linux")
}
