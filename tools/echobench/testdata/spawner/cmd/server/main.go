// Command server is an echo server for echobench's tests that starts a child
// process of its own (which just sleeps) and writes the child's pid to the
// file named by $ECHOBENCH_TEST_CHILD_PID, so that a test can check that
// stopping the server stops its child too.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on")
	child := flag.Bool("child", false, "sleep for a minute and exit (the child)")
	flag.Parse()
	if *child {
		time.Sleep(time.Minute)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	cmd := exec.Command(self, "-child")
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	if path := os.Getenv("ECHOBENCH_TEST_CHILD_PID"); path != "" {
		os.WriteFile(path, []byte(fmt.Sprint(cmd.Process.Pid)), 0o644)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			os.Exit(1)
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}
