package partialio

import (
	"net"
	"time"
)

// LingeringClose closes conn without destroying what was just written to it.
//
// Closing a socket while the peer's bytes sit unread in it makes the kernel
// send a reset (RST) instead of an orderly end (FIN), and a reset can discard
// data still on its way to the peer: the peer reads "connection reset" where
// it should have read our last words. So LingeringClose first half-closes
// (the peer reads our data, then EOF), then reads and discards whatever the
// peer still sends until the peer closes too or drain has passed, and only
// then closes conn. It returns the error of that final Close.
//
// Step 5. CloseWrite, SetReadDeadline(now+drain), io.Copy to io.Discard,
// Close. See README.md, "Step 5".
func LingeringClose(conn net.Conn, drain time.Duration) error {
	// TODO(step 5): half-close (CloseWrite), set a read deadline drain from
	// now, read and discard until EOF or error (io.Copy to io.Discard), then
	// return conn.Close().
	return notImplemented("step 5: LingeringClose")
}
