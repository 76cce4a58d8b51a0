//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// fdOverhead is what echobench needs besides its connections: standard
// streams, pipes to the server, files under /proc, the Go runtime's poller.
const fdOverhead = 64

// ensureFiles makes sure this process may open conns connections: it raises
// the soft RLIMIT_NOFILE to the hard limit if needed (as `ulimit -n` would)
// and fails with a plain explanation when even that is too low. Servers
// started by echobench inherit the limit and need as many.
func ensureFiles(conns int) error {
	need := uint64(conns + fdOverhead)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // Unknown: let the dials report it.
	}
	// The fields are uint64 on most systems and int64 on some BSDs.
	soft, hard := uint64(lim.Cur), uint64(lim.Max)
	if soft >= need {
		return nil
	}
	if hard >= need {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%d connections need about %d open files, but this shell allows %d (soft) and at most %d (hard).\n"+
		"Raise the limit first, for example `ulimit -n %d` (the hard limit is set by the system administrator,\n"+
		"see /etc/security/limits.conf on Linux or `launchctl limit maxfiles` on macOS), or ask for fewer connections",
		conns, need, soft, hard, need)
}
