// Command server is a minimal line-echo server for echobench's tests: one
// goroutine per connection, each line echoed as soon as it is complete. It
// takes the flags of the course's lesson 3 and 4 servers that echobench uses.
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
	flag.Int("max-conns", 0, "accepted for compatibility; not enforced")
	flag.Duration("idle-timeout", 0, "accepted for compatibility; not enforced")
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
			time.Sleep(10 * time.Millisecond)
			continue
		}
		fmt.Printf("connection from %s\n", c.RemoteAddr())
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadBytes('\n')
				if len(line) > 0 {
					if _, werr := c.Write(line); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}
