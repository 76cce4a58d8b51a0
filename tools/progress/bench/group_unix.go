//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// stopGroup makes cancelling cmd stop go run and the program it started.
func stopGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
