package partialio

import "net"

// Echo sends message on conn and returns the server's echo of it: exactly
// len(message) bytes, no more, so that the next message's echo stays in conn
// for the next call. The caller sets any deadline on conn.
//
// Echo writes from a second goroutine while it reads. Writing everything
// first and reading afterwards deadlocks on a large message: the server
// echoes as it reads, its echo fills the socket buffers towards us because
// we are not reading yet, so it stops reading, so our buffers towards it fill
// up too, and both sides wait in Write forever.
//
// If the echo is short (the server closed), Echo returns what arrived and
// io.ErrUnexpectedEOF; on any error it closes conn, which also ends the
// writing goroutine if it is stuck in Write.
//
// Step 6. Start a goroutine that writes message and sends Write's error on a
// channel; meanwhile ReadExactly (step 1) len(message) bytes; then wait for
// the writer. See README.md, "Step 6".
func Echo(conn net.Conn, message []byte) ([]byte, error) {
	// TODO(step 6): write message from a goroutine (send Write's error on a
	// channel) while this goroutine ReadExactly-s len(message) bytes; close
	// conn if the read fails; wait for the writer; return echo and error.
	return nil, notImplemented("step 6: Echo")
}
