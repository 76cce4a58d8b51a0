//go:build !unix

package hostile

import "os/exec"

// ownProcessGroup does nothing where there are no process groups.
func ownProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup kills the process itself where there are no process groups.
func killProcessGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
