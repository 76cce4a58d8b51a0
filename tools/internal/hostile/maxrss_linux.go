package hostile

import (
	"os"
	"syscall"
)

// maxRSSKB is the most memory a finished process ever held in RAM.
func maxRSSKB(state *os.ProcessState) (int64, bool) {
	ru, ok := state.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss, true // kilobytes on Linux
}
