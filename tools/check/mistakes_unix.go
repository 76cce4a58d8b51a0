//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// killGroupOnTimeout runs cmd in its own process group and kills the whole
// group when its context ends: a mistake that hangs may leave a server or a
// child behind, and none may outlive the run.
func killGroupOnTimeout(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
