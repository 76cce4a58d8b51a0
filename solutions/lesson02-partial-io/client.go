package partialio

import (
	"io"
	"net"
)

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
	written := make(chan error, 1)
	go func() {
		_, err := conn.Write(message)
		written <- err
	}()

	echo := make([]byte, len(message))
	n, rerr := ReadExactly(conn, echo)
	if rerr == io.EOF {
		rerr = io.ErrUnexpectedEOF // We sent bytes: no echo at all is an echo cut short.
	}
	if rerr != nil {
		// The writer may be blocked in Write, waiting for a server that has
		// stopped reading: closing the connection wakes it up.
		conn.Close()
	}
	werr := <-written
	if rerr != nil {
		return echo[:n], rerr
	}
	if werr != nil {
		conn.Close()
		return echo[:n], werr
	}
	return echo, nil
}
