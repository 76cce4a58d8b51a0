//go:build unix

package main

import (
	"strings"
	"syscall"
	"testing"
)

func TestTooFewOpenFilesIsExplained(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip("getrlimit:", err)
	}
	hard := uint64(lim.Max)
	if hard > 1<<30 {
		t.Skip("no hard limit on open files here")
	}
	err := ensureFiles(int(hard))
	if err == nil || !strings.Contains(err.Error(), "ulimit -n") {
		t.Fatalf("ensureFiles(%d) with a hard limit of %d = %v; want an error that says to raise ulimit -n", hard, hard, err)
	}
	if err := ensureFiles(10); err != nil {
		t.Fatalf("ensureFiles(10) = %v; want nil", err)
	}
}
