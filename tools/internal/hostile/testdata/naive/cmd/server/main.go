// Command server is a naive line-echo server for the suite's own tests: it
// takes lesson 3's flags, serves every client at once, and keeps the easy
// rules (odd bytes, half-close), but it ignores -max-line and
// -idle-timeout. The suite must catch both.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12345", "address to listen on")
	flag.Int("max-line", 65536, "ignored: every line is echoed, however long")
	flag.Int("max-conns", 0, "ignored")
	flag.Duration("idle-timeout", 0, "ignored: clients are never closed")
	flag.Duration("grace", 5*time.Second, "ignored")
	flag.Bool("v", false, "ignored")
	flag.Parse()
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
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				c.Write([]byte(line))
				if err != nil {
					return
				}
			}
		}()
	}
}
