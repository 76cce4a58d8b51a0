package partialio

import (
	"bytes"
	"io"
)

// readSize is how many bytes a LineReader asks for in one Read. A Read may
// return fewer, or several lines at once: the reader keeps what is left over.
const readSize = 4096

// LineReader splits a byte stream into "\n"-terminated lines. The stream has
// no lines of its own, only bytes: one Read may return half a line, or three
// lines and the start of a fourth. LineReader keeps the bytes it has read but
// not yet returned, and reads more only when they hold no complete line.
type LineReader struct {
	r     io.Reader
	max   int    // the longest line allowed, not counting its "\n"
	chunk []byte // where each Read lands, readSize bytes

	// buf holds bytes read from r and not yet returned: the rest of the
	// current line, and maybe the lines after it.
	buf []byte
	// scanned is how many bytes at the start of buf are known to hold no
	// "\n", so that a long line is not searched again after every Read.
	scanned int
	// err is the error the last Read returned, kept until buf is used up:
	// bytes that came before an error (or io.EOF) are returned first.
	err error
}

// NewLineReader returns a LineReader that reads lines from r. A line may hold
// at most max bytes before its "\n".
func NewLineReader(r io.Reader, max int) *LineReader {
	return &LineReader{r: r, max: max, chunk: make([]byte, readSize)}
}

// ReadLine returns the next line, with its "\n". The line is the caller's to
// keep: later calls do not change it.
//
// At the end of the stream, the bytes after the last "\n" (if any) come back
// with io.EOF; after that, ReadLine returns nil, io.EOF. Another Read error
// comes back the same way, with the bytes that arrived before it. A line of
// more than max bytes (before its "\n") returns ErrLineTooLong, as soon as
// more than max bytes without a "\n" are buffered: the reader does not wait
// for the end of a line it will refuse anyway.
//
// Step 2. Loop: if buf holds a "\n", cut the line off the front of buf and
// return it (or ErrLineTooLong if it holds more than max bytes before its
// "\n"); if buf is longer than max, return ErrLineTooLong; if a Read failed
// earlier, return what is left with that error; otherwise Read more and
// append it to buf. See README.md, "Step 2".
func (lr *LineReader) ReadLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.scanned:], '\n'); i >= 0 {
			end := lr.scanned + i + 1 // just past the "\n"
			if end-1 > lr.max {
				return nil, ErrLineTooLong
			}
			// The three-index slice caps the line at its "\n": a caller
			// that appends to it cannot overwrite the next line in buf.
			line := lr.buf[:end:end]
			lr.buf = lr.buf[end:]
			lr.scanned = 0
			return line, nil
		}
		lr.scanned = len(lr.buf)
		if len(lr.buf) > lr.max {
			// No "\n" in more than max bytes: whatever comes next, this
			// line is too long. Stop before buffering any more of it.
			return nil, ErrLineTooLong
		}
		if lr.err != nil {
			rest := lr.buf
			if len(rest) == 0 {
				rest = nil
			}
			lr.buf, lr.scanned = nil, 0
			return rest, lr.err
		}
		n, err := lr.r.Read(lr.chunk)
		// Appending copies the bytes out of chunk, which the next Read reuses.
		lr.buf = append(lr.buf, lr.chunk[:n]...)
		lr.err = err
	}
}
