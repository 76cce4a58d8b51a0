//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

// Command client is lesson 4's echo client. This system has no Unix kernel.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "client: lesson 4 needs a Unix kernel; use WSL")
	os.Exit(1)
}
