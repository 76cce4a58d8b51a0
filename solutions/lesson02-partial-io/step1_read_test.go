package partialio

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 1: ReadExactly reads until the buffer is full, however the bytes arrive.

// readExactly calls ReadExactly for n bytes and stops the test plainly if the
// step is not done yet.
func readExactly(t *testing.T, r io.Reader, n int) ([]byte, error) {
	t.Helper()
	buf := make([]byte, n)
	got, err := ReadExactly(r, buf)
	requireDone(t, 1, "ReadExactly", err)
	require.GreaterOrEqualf(t, got, 0, "ReadExactly returned a count of %d: a count is never negative. (README.md, Step 1)", got)
	require.LessOrEqualf(t, got, n, "ReadExactly returned a count of %d for a %d-byte buffer: did you read into buf again instead of buf[n:]? n counts the bytes read, and the next Read must land after them. (README.md, Step 1)", got, n)
	return buf[:got], err
}

func TestStep1_FillsTheBufferFromOneByteReads(t *testing.T) {
	// iotest.OneByteReader returns one byte per Read, however much is asked:
	// the worst a network can do, and allowed by io.Reader's contract.
	const sent = "Hola, mundo!"
	got, err := readExactly(t, iotest.OneByteReader(strings.NewReader(sent)), len(sent))
	switch {
	case err == nil && len(got) == len(sent) && string(got) != sent:
		t.Fatalf("reading %d bytes from a reader that returns one byte per Read gave %q: the count is right, the bytes are scrambled. You read into buf again instead of buf[n:]: each Read must land after the n bytes already read. (README.md, Step 1)",
			len(sent), got)
	case err != nil || string(got) != sent:
		t.Fatalf("reading %d bytes from a reader that returns one byte per Read gave %q, %v. One Read is not enough: loop, reading into buf[n:], until n == len(buf). (README.md, Step 1)",
			len(sent), got, err)
	}
}

func TestStep1_FillsTheBufferFromHalfReads(t *testing.T) {
	// iotest.HalfReader returns half of what each Read asks for.
	sent := strings.Repeat("0123456789", 100)
	got, err := readExactly(t, iotest.HalfReader(strings.NewReader(sent)), len(sent))
	require.NoErrorf(t, err, "reading 1000 bytes from a reader that returns half of each request gave %s, then %v. Loop until n == len(buf). (README.md, Step 1)", quote(got), err)
	require.Truef(t, sent == string(got),
		"reading 1000 bytes from a reader that returns half of each request: %s. Read into the unfilled part, buf[n:], not into buf again. (README.md, Step 1)",
		firstDifference([]byte(sent), got))
}

func TestStep1_KeepsTheBytesThatComeWithEOF(t *testing.T) {
	// iotest.DataErrReader returns the last bytes and io.EOF from the same
	// Read: a reader that checks err before n loses them.
	got, err := readExactly(t, iotest.DataErrReader(strings.NewReader("last words")), 10)
	require.NoErrorf(t, err,
		"the last Read returned the final bytes and io.EOF together (iotest.DataErrReader); the buffer was full, so that is a success. Got %q, %v: you looked at err before adding n. Add n first, then look at err. (README.md, Step 1)", got, err)
	require.Truef(t, string(got) == "last words", "ReadExactly returned %q: count the bytes a Read returns even when it also returns an error. (README.md, Step 1)", got)
}

func TestStep1_KeepsReadingAfterAnEmptyRead(t *testing.T) {
	r := &stutteringReader{r: strings.NewReader("patience")}
	got, err := readExactly(t, r, 8)
	require.NoErrorf(t, err, "a Read returned 0 bytes and no error, which io.Reader allows; got %q, %v. That is not the end of the stream: Read again. (README.md, Step 1)", got, err)
	require.Truef(t, string(got) == "patience", "a Read returned 0 bytes and no error, then the rest came; ReadExactly returned %q. (README.md, Step 1)", got)
}

func TestStep1_ReportsEOFWhenTheStreamIsEmpty(t *testing.T) {
	got, err := readExactly(t, strings.NewReader(""), 4)
	require.Emptyf(t, got, "reading from an empty stream returned %q: there were no bytes to return. (README.md, Step 1)", got)
	require.Truef(t, err == io.EOF,
		"reading 4 bytes from a stream that has ended returned %v; want io.EOF itself: the stream ended cleanly, before the first byte. (README.md, Step 1)", err)
}

func TestStep1_ReportsAStreamThatEndsPartWay(t *testing.T) {
	got, err := readExactly(t, iotest.OneByteReader(strings.NewReader("abc")), 8)
	require.Truef(t, string(got) == "abc", "the stream held 3 of the 8 bytes asked for, and ReadExactly returned %q: it must still count them. (README.md, Step 1)", got)
	require.Truef(t, err == io.ErrUnexpectedEOF,
		"the stream ended after 3 of 8 bytes; ReadExactly returned %v; want io.ErrUnexpectedEOF, which says \"it ended in the middle\". (README.md, Step 1)", err)
}

func TestStep1_ReturnsOtherErrorsWithTheCount(t *testing.T) {
	// iotest.TimeoutReader fails its second Read with iotest.ErrTimeout.
	got, err := readExactly(t, iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("xyz"))), 3)
	require.Truef(t, errors.Is(err, iotest.ErrTimeout),
		"the second Read failed with %v; ReadExactly returned %v: return any error other than io.EOF as it is. (README.md, Step 1)", iotest.ErrTimeout, err)
	require.Truef(t, string(got) == "x", "one byte arrived before the error, and ReadExactly returned %q: it must count it. (README.md, Step 1)", got)
}

func TestStep1_LeavesTheRestOfTheStreamUnread(t *testing.T) {
	r := strings.NewReader("head|tail")
	got, err := readExactly(t, r, 5)
	require.NoErrorf(t, err, "reading 5 bytes of %q failed: %v. (README.md, Step 1)", "head|tail", err)
	require.Truef(t, string(got) == "head|", "reading 5 bytes of %q gave %q. (README.md, Step 1)", "head|tail", got)
	rest, _ := io.ReadAll(r)
	require.Truef(t, string(rest) == "tail",
		"after reading 5 bytes, the stream should still hold %q, but holds %q. Read only into buf (never into a bigger buffer of your own): the bytes after it belong to the next reader. (README.md, Step 1)", "tail", rest)
}

func TestStep1_ZeroBytesNeedNoRead(t *testing.T) {
	got, err := readExactly(t, iotest.ErrReader(errors.New("this Read should not happen")), 0)
	require.NoErrorf(t, err, "reading into an empty buffer returned %v: reading 0 bytes is done before it starts; return 0, nil without calling Read. (README.md, Step 1)", err)
	require.Emptyf(t, got, "reading into an empty buffer returned %q. (README.md, Step 1)", got)
}

func TestStep1_ReadsExactlyFromASocketThatSplitsEveryByte(t *testing.T) {
	// A real TCP connection through a proxy that forwards one byte per
	// segment: one Read on this socket returns whatever has arrived so far.
	ln := listenTCP(t)
	client := dialAddr(t, startSplitter(t, ln.Addr().String()))
	server := &countingConn{TCPConn: accept(t, ln)}
	sent := bytes.Repeat([]byte("socket"), 40)
	go func() { client.Write(sent) }() // one Write of 240 bytes

	server.SetReadDeadline(time.Now().Add(wait))
	got, err := readExactly(t, server, len(sent))
	t.Logf("%d bytes sent in one Write took %d Reads to arrive", len(sent), server.count())
	require.NoErrorf(t, err, "reading %d bytes that cross the network one byte per segment: %s, then %v. (README.md, Step 1)",
		len(sent), firstDifference(sent, got), err)
	require.Truef(t, bytes.Equal(sent, got), "reading %d bytes that cross the network one byte per segment: %s. Read into buf[n:], the part not yet filled. (README.md, Step 1)", len(sent), firstDifference(sent, got))
}

// stutteringReader returns 0 bytes and no error on every other Read.
type stutteringReader struct {
	r     io.Reader
	empty bool
}

func (s *stutteringReader) Read(p []byte) (int, error) {
	s.empty = !s.empty
	if s.empty {
		return 0, nil
	}
	return s.r.Read(p)
}
