package partialio

import (
	"errors"
	"io"
)

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
	n := 0
	for n < len(buf) {
		got, err := r.Read(buf[n:])
		// Count the bytes before looking at err: a Read may return data and
		// an error (often io.EOF) together.
		n += got
		if n == len(buf) {
			return n, nil // Full: an EOF that came with the last bytes is no error yet.
		}
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return 0, io.EOF // Nothing at all: the stream ended cleanly here.
			}
			return n, io.ErrUnexpectedEOF // The stream ended in the middle.
		}
		if err != nil {
			return n, err
		}
		// got may be 0 with a nil error: allowed, if discouraged. Read again.
	}
	return n, nil
}
