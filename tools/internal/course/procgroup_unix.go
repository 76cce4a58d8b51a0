//go:build unix

package course

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel runs cmd in its own process group and kills the whole
// group when its context ends, so a hanging test binary dies with `go test`.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// yieldCPU lowers the priority (nice 10) of a process started by
// killGroupOnCancel in a group of its own, so that the processes at normal
// priority run first when the CPUs are busy. It sets the whole group's:
// on Linux a nice value belongs to each thread, and the Go runtime of the
// child may have started threads already, which PRIO_PROCESS would miss.
// It is best effort: a process that has already ended cannot be changed.
func yieldCPU(cmd *exec.Cmd) {
	syscall.Setpriority(syscall.PRIO_PGRP, cmd.Process.Pid, 10)
}
