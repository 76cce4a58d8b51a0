package main

import "runtime"

// exeSuffix is what an executable's name ends with on this system.
func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
