package partialio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

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
	if uint64(len(payload)) > math.MaxUint32 {
		return fmt.Errorf("%w: %d bytes do not fit in a 4-byte length", ErrFrameTooLarge, len(payload))
	}
	// One Write for header and payload: two Writes would cost two system
	// calls, and on a connection shared by several writers another frame
	// could slip in between a header and its payload.
	frame := make([]byte, 0, frameHeaderSize+len(payload))
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(payload)))
	frame = append(frame, payload...)
	_, err := w.Write(frame)
	return err
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
	var header [frameHeaderSize]byte
	if _, err := ReadExactly(r, header[:]); err != nil {
		return nil, err // io.EOF here is a clean end between frames.
	}
	size := binary.BigEndian.Uint32(header[:])
	// Compare as uint64: on a 32-bit system int(size) could overflow.
	if max < 0 || uint64(size) > uint64(max) {
		return nil, fmt.Errorf("%w: the length prefix says %d bytes, the limit is %d", ErrFrameTooLarge, size, max)
	}
	payload := make([]byte, size)
	if _, err := ReadExactly(r, payload); err != nil {
		if err == io.EOF {
			// The header promised a payload: ending now is a truncated frame.
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return payload, nil
}
