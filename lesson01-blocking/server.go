package blocking

import (
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
	// TODO(step 1): listen with net.Listen, then log "listening on ADDR" using
	// the listener's own address, ln.Addr().
	return nil, notImplemented("step 1: Listen")
}

// Handle echoes every byte conn sends, in order, until the client half-closes
// or closes; then it closes conn and returns nil. Each chunk that arrives is
// logged as `received: "..."`. Any other error ends the conversation and is
// returned.
//
// Step 2. Loop: Read into a buffer, write back exactly the n bytes you got,
// stop at io.EOF. See README.md, "Step 2".
func Handle(conn net.Conn, log io.Writer) error {
	// TODO(step 2): close conn when done; loop: Read into a buffer, log and
	// Write back buf[:n], return nil at io.EOF and any other error as it is.
	return notImplemented("step 2: Handle")
}

// Serve accepts clients one after another and echoes each with Handle until
// it hangs up. It logs "connection from ADDR" for each client and any error
// Handle returns, and goes on with the next client. When ln is closed, Serve
// returns nil; any other Accept error is returned.
//
// Step 4. Loop: Accept, log, Handle, log its error. See README.md, "Step 4".
func Serve(ln net.Listener, log io.Writer) error {
	// TODO(step 4): loop: Accept, log "connection from ADDR", Handle, log its
	// error; return nil once the listener is closed (net.ErrClosed).
	return notImplemented("step 4: Serve")
}
