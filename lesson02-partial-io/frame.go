package partialio

import "io"

// A frame is a 4-byte big-endian length, then that many bytes of payload:
//
//	00 00 00 05 'h' 'e' 'l' 'l' 'o'
//
// The reader learns how much to read before it reads it, so a payload may
// hold any bytes, "\n" included. DNS over TCP does the same with 2 bytes.
const frameHeaderSize = 4

// WriteFrame writes payload to w as one frame: its length as 4 bytes, big
// endian (network byte order), then the payload. A payload longer than
// math.MaxUint32 bytes cannot be framed and returns ErrFrameTooLarge.
//
// Step 3. Build header and payload in one slice (binary.BigEndian.AppendUint32)
// and write it with one Write. See README.md, "Step 3".
func WriteFrame(w io.Writer, payload []byte) error {
	// TODO(step 3): append the 4-byte big-endian length and the payload to
	// one slice and write it with a single Write.
	return notImplemented("step 3: WriteFrame")
}

// ReadFrame reads one frame from r and returns its payload. It returns
// io.EOF if the stream ends cleanly before a frame begins, and
// io.ErrUnexpectedEOF if it ends inside one (in the header or the payload).
// A length prefix over max returns an error wrapping ErrFrameTooLarge, before
// any memory is allocated for the payload: the length comes from the peer,
// and a peer must not be able to make us allocate 4 GiB with four bytes.
//
// Step 3. ReadExactly (step 1) the 4-byte header, decode it with
// binary.BigEndian.Uint32, compare it with max, then allocate and
// ReadExactly the payload. See README.md, "Step 3".
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	// TODO(step 3): ReadExactly a 4-byte header, decode the length, return
	// ErrFrameTooLarge if it is over max (before allocating!), then allocate
	// and ReadExactly the payload. A payload cut short is io.ErrUnexpectedEOF.
	return nil, notImplemented("step 3: ReadFrame")
}
