package procfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OpenFiles counts the descriptors the process holds open (the entries of
// /proc/PID/fd): sockets, pipes, files, its poller. ok is false where
// there is no /proc, or the process is gone.
func OpenFiles(pid int) (n int, ok bool) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, false
	}
	return len(entries), true
}

// RunningThreads counts the process's threads that are running or waiting
// for a CPU (state R in /proc/PID/task/TID/stat). A server with nothing to
// do has none: every thread sleeps in epoll_wait, a futex or a timer. ok is
// false where there is no /proc, or the process is gone.
func RunningThreads(pid int) (n int, ok bool) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(stats) == 0 {
		return 0, false
	}
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread has just ended
		}
		if threadState(string(b)) == 'R' {
			n++
		}
	}
	return n, true
}

// threadState returns the one-letter state out of a /proc/PID/stat line:
// the first field after the command name, which is in parentheses and
// may itself hold spaces and parentheses.
func threadState(stat string) byte {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return 0
	}
	return stat[i+2]
}
