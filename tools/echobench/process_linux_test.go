package main

import (
	"syscall"
	"testing"
)

func TestAServerDiesWithEchobenchEvenWhenItIsKilled(t *testing.T) {
	cmd, server := startHolding(t)
	// SIGKILL runs no clean-up at all: only the kernel can stop the server
	// now, because echobench asked it to (Pdeathsig) when starting it.
	cmd.Process.Kill()
	cmd.Wait()
	if !waitGone(server) {
		syscall.Kill(server, syscall.SIGKILL)
		t.Fatalf("server pid %d still runs %v after echobench was killed with SIGKILL", server, wait)
	}
}
