//go:build !unix

package main

import "os/exec"

// stopGroup has no process groups to use here: only go run itself stops.
func stopGroup(cmd *exec.Cmd) {}
