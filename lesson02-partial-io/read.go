package partialio

import "io"

// ReadExactly reads from r until buf is full, and returns how many bytes it
// read. It is the loop inside io.ReadFull, written out: one Read returns
// whatever has arrived (on a socket, often less than len(buf)), so reading
// n bytes takes as many Reads as it takes.
//
// Errors follow io.ReadFull: nil once buf is full (even if the last Read also
// said io.EOF); io.EOF if the stream ended before the first byte;
// io.ErrUnexpectedEOF if it ended part-way; any other error as Read gave it,
// with the count of bytes read before it. ReadExactly never reads more than
// len(buf) bytes, so whatever follows stays in r for the next reader.
//
// Step 1. Loop while the buffer is not full: Read into the part not yet
// filled, buf[n:], add what you got, then look at the error. See README.md,
// "Step 1".
func ReadExactly(r io.Reader, buf []byte) (int, error) {
	// TODO(step 1): loop until buf is full: Read into buf[n:], add what you
	// got to n, then look at the error (io.EOF before the first byte is
	// io.EOF; io.EOF part-way is io.ErrUnexpectedEOF; others as they are).
	return 0, notImplemented("step 1: ReadExactly")
}
