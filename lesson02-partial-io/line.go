package partialio

import "io"

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
	// TODO(step 2): loop: return a complete line cut off the front of lr.buf
	// if there is one (ErrLineTooLong if it is longer than lr.max before its
	// newline); ErrLineTooLong once lr.buf holds more than lr.max bytes
	// without a newline; what is left with lr.err if a Read failed;
	// otherwise Read into lr.chunk and append to lr.buf.
	return nil, notImplemented("step 2: ReadLine")
}
