package blocking

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// Listen opens a listening socket on address and writes "listening on ADDR"
// to log, where ADDR is the address the kernel actually bound (with port 0 it
// picks a free port, and this line is how anyone learns which).
//
// Step 1. network is "tcp" (or "tcp4", "tcp6") with a "host:port" address, or
// "unix" with a file path. net.Listen does what Python's socket(), bind() and
// listen() do in three calls. See README.md, "Step 1".
func Listen(network, address string, log io.Writer) (net.Listener, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	// Report ln.Addr(), not address: only the kernel knows which port ":0" got.
	fmt.Fprintf(log, "listening on %s\n", ln.Addr())
	return ln, nil
}

// Handle echoes every byte conn sends, in order, until the client half-closes
// or closes; then it closes conn and returns nil. Each chunk that arrives is
// logged as `received: "..."`. Any other error ends the conversation and is
// returned.
//
// Step 2. Loop: Read into a buffer, write back exactly the n bytes you got,
// stop at io.EOF. See README.md, "Step 2".
func Handle(conn net.Conn, log io.Writer) error {
	defer conn.Close()
	buf := make([]byte, 4096)
	for {
		// Read returns as soon as some bytes are there, often fewer than
		// len(buf). Only buf[:n] is data; the rest is left over from before.
		n, err := conn.Read(buf)
		if n > 0 {
			fmt.Fprintf(log, "received: %q\n", buf[:n])
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		// A Read may return data and an error together: the data is handled
		// above first, so nothing is lost at the end of the stream.
		if errors.Is(err, io.EOF) {
			return nil // The client half-closed: it will send nothing more.
		}
		if err != nil {
			return err
		}
	}
}

// Serve accepts clients one after another and echoes each with Handle until
// it hangs up. It logs "connection from ADDR" for each client and any error
// Handle returns, and goes on with the next client. When ln is closed, Serve
// returns nil; any other Accept error is returned.
//
// Step 4. Loop: Accept, log, Handle, log its error. See README.md, "Step 4".
func Serve(ln net.Listener, log io.Writer) error {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil // Someone closed the listener: that is how a server is stopped.
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "connection from %s\n", conn.RemoteAddr())
		// One client at a time: the next Accept waits until this client is done.
		// Clients that dial meanwhile wait in the listen backlog.
		if err := Handle(conn, log); err != nil {
			// One client's trouble (a reset, say) must not stop the server.
			fmt.Fprintf(log, "connection from %s ended: %v\n", conn.RemoteAddr(), err)
		}
	}
}
