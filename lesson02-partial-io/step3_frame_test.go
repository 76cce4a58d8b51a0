package partialio

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: frames, a 4-byte big-endian length and then the payload.

// frame returns payload as WriteFrame writes it, and stops the test plainly
// if the step is not done yet.
func frame(t testing.TB, payload []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := WriteFrame(&buf, payload)
	requireDone(t, 3, "WriteFrame", err)
	require.NoErrorf(t, err, "WriteFrame of %d bytes to a bytes.Buffer failed: %v. (README.md, Step 3)", len(payload), err)
	return buf.Bytes()
}

// readFrame calls ReadFrame, waiting for it at most wait, and stops the test
// plainly if the step is not done yet.
func readFrame(t testing.TB, r io.Reader, max int) ([]byte, error) {
	t.Helper()
	type result struct {
		payload []byte
		err     error
	}
	ch := make(chan result, 1)
	go func() {
		payload, err := ReadFrame(r, max)
		ch <- result{payload, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case res := <-ch:
		requireDone(t, 3, "ReadFrame", res.err)
		return res.payload, res.err
	case <-timer.C:
		t.Fatalf("ReadFrame had not returned after %s. Does it call Read with an empty buffer (some readers never return from that), or loop without reading? Read the header and the payload with ReadExactly (step 1): one Read is not enough. (README.md, Step 3)", wait)
		return nil, nil
	}
}

func TestStep3_WritesTheLengthBigEndianThenThePayload(t *testing.T) {
	for _, c := range []struct{ payload, want string }{
		{"hi", "\x00\x00\x00\x02hi"},
		{"", "\x00\x00\x00\x00"},
		{strings.Repeat("a", 300), "\x00\x00\x01\x2c" + strings.Repeat("a", 300)},
	} {
		got := frame(t, []byte(c.payload))
		require.Truef(t, c.want == string(got),
			"WriteFrame of a %d-byte payload wrote %s; want %s: the length in 4 bytes, most significant first (binary.BigEndian, not LittleEndian: network byte order is big endian), then the payload. (README.md, Step 3)",
			len(c.payload), quote(got), quote(c.want))
	}
}

func TestStep3_ReadsFramesWhateverPiecesTheyArriveIn(t *testing.T) {
	payloads := [][]byte{[]byte("one"), {}, []byte("line\nbreaks\nare\njust bytes"), bytes.Repeat([]byte{0, 255}, 40000)}
	var stream []byte
	for _, p := range payloads {
		stream = append(stream, frame(t, p)...)
	}
	for name, r := range readers(string(stream)) {
		for i, want := range payloads {
			got, err := readFrame(t, r, 1<<20)
			require.NoErrorf(t, err, "frame %d of %d, delivered by %s: ReadFrame returned %v. Read the 4-byte header and then the payload with ReadExactly (step 1): one Read is not enough. (README.md, Step 3)", i+1, len(payloads), name, err)
			require.Truef(t, bytes.Equal(want, got), "frame %d (delivered by %s): %s. Read the header and the payload with ReadExactly (step 1): one Read is not enough. (README.md, Step 3)", i+1, name, firstDifference(want, got))
		}
		got, err := readFrame(t, r, 1<<20)
		require.Truef(t, err == io.EOF,
			"after the last frame (delivered by %s), ReadFrame returned %s, %v; want io.EOF: the stream ended cleanly between frames. (README.md, Step 3)", name, quote(got), err)
	}
}

func TestStep3_ReportsATruncatedFrame(t *testing.T) {
	whole := frame(t, []byte("cut short"))
	for _, cut := range []int{2, 4, 7} { // inside the header, just after it, inside the payload
		got, err := readFrame(t, bytes.NewReader(whole[:cut]), 100)
		require.Truef(t, err == io.ErrUnexpectedEOF,
			"the stream %q ends %d bytes into a %d-byte frame; ReadFrame returned %s, %v; want io.ErrUnexpectedEOF: a frame that began must end. If the stream ended after the header, turn ReadExactly's io.EOF into io.ErrUnexpectedEOF. (README.md, Step 3)",
			whole[:cut], cut, len(whole), quote(got), err)
	}
}

func TestStep3_RejectsAFrameOverTheMax(t *testing.T) {
	got, err := readFrame(t, bytes.NewReader(frame(t, bytes.Repeat([]byte("x"), 101))), 100)
	require.Truef(t, errors.Is(err, ErrFrameTooLarge),
		"a 101-byte frame with max 100: ReadFrame returned %d bytes and %v; want an error wrapping ErrFrameTooLarge (fmt.Errorf(\"%%w ...\", ErrFrameTooLarge, ...)). (README.md, Step 3)", len(got), err)
	got, err = readFrame(t, bytes.NewReader(frame(t, bytes.Repeat([]byte("x"), 100))), 100)
	require.NoErrorf(t, err, "a 100-byte frame with max 100: ReadFrame returned %v; a frame of exactly max bytes is allowed. (README.md, Step 3)", err)
	require.Lenf(t, got, 100, "a 100-byte frame with max 100: ReadFrame returned %d bytes. (README.md, Step 3)", len(got))
}

func TestStep3_RejectsA4GiBLengthWithoutAllocating(t *testing.T) {
	// First a length that is over max but harmless to allocate (8 MiB): a
	// ReadFrame that allocates before it checks shows here, safely.
	over := []byte{0x00, 0x80, 0x00, 0x00} // 8 MiB
	allocated, err := bytesAllocated(func() error { _, err := readFrame(t, bytes.NewReader(over), 1<<20); return err })
	require.Truef(t, errors.Is(err, ErrFrameTooLarge),
		"a length prefix of 8 MiB with max 1 MiB, and no payload behind it: ReadFrame returned %v; want ErrFrameTooLarge, decided from the header alone, before reading the payload. (README.md, Step 3)", err)
	require.Lessf(t, allocated, uint64(1<<20),
		"ReadFrame allocated %d bytes to reject a frame of 8 MiB (max 1 MiB): compare the length with max before make([]byte, size). Otherwise four bytes from a peer decide how much memory you allocate. (README.md, Step 3)", allocated)

	// Now the largest length four bytes can say.
	huge := []byte{0xFF, 0xFF, 0xFF, 0xFF}
	allocated, err = bytesAllocated(func() error { _, err := readFrame(t, bytes.NewReader(huge), 1<<20); return err })
	require.Truef(t, errors.Is(err, ErrFrameTooLarge), "a length prefix of 0xFFFFFFFF (4 GiB) with max 1 MiB: ReadFrame returned %v; want ErrFrameTooLarge. (README.md, Step 3)", err)
	require.Lessf(t, allocated, uint64(1<<20), "ReadFrame allocated %d bytes to reject a 4 GiB length prefix: compare the length with max before make([]byte, size). (README.md, Step 3)", allocated)
}

// bytesAllocated runs fn and returns how many bytes of heap it (and anything
// else running meanwhile) allocated.
func bytesAllocated(fn func() error) (uint64, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

func TestStep3_FramesCrossASocketThatSplitsEveryByte(t *testing.T) {
	ln := listenTCP(t)
	client := dialAddr(t, startSplitter(t, ln.Addr().String()))
	server := accept(t, ln)
	payloads := []string{"first frame", "", "a third, with a\nnewline inside"}
	go func() {
		for _, p := range payloads {
			if WriteFrame(client, []byte(p)) != nil {
				return
			}
		}
		client.CloseWrite()
	}()
	server.SetReadDeadline(time.Now().Add(wait))
	for i, want := range payloads {
		got, err := readFrame(t, server, 1024)
		require.NoErrorf(t, err, "frame %d of %d, sent through a proxy that forwards one byte per segment: %v. (README.md, Step 3)", i+1, len(payloads), err)
		require.Truef(t, want == string(got), "frame %d of %d, sent through a proxy that forwards one byte per segment, came back as %s. (README.md, Step 3)", i+1, len(payloads), quote(got))
	}
	got, err := readFrame(t, server, 1024)
	require.Truef(t, err == io.EOF, "after the last frame the client half-closed; ReadFrame returned %s, %v; want io.EOF. (README.md, Step 3)", quote(got), err)
}

// FuzzReadFrame feeds arbitrary bytes to ReadFrame, whole and one byte per
// Read, and checks what must hold whatever the input.
// Run it with: go test -run FuzzReadFrame -fuzz FuzzReadFrame -fuzztime 30s
func FuzzReadFrame(f *testing.F) {
	_, err := ReadFrame(strings.NewReader(""), 1)
	requireDone(f, 3, "ReadFrame", err)

	f.Add([]byte("\x00\x00\x00\x05hello\x00\x00\x00\x00"))
	f.Add([]byte("\x00\x00\x00\x05hel"))
	f.Add([]byte("\xff\xff\xff\xff"))
	f.Add([]byte("\x00\x00"))
	const max = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func(r io.Reader) (frames [][]byte, err error) {
			for range len(data) + 1 { // every frame takes at least 4 bytes
				payload, err := ReadFrame(r, max)
				if err != nil {
					return frames, err
				}
				frames = append(frames, payload)
			}
			t.Fatalf("ReadFrame returned more frames than %d bytes can hold. (README.md, Step 3)", len(data))
			return nil, nil
		}
		whole, errWhole := read(bytes.NewReader(data))
		split, errSplit := read(iotest.OneByteReader(bytes.NewReader(data)))
		if len(whole) != len(split) || !sameEnd(errWhole, errSplit, io.EOF, io.ErrUnexpectedEOF, ErrFrameTooLarge) {
			t.Fatalf("%s gave %d frames and %v in one Read, %d frames and %v one byte at a time. (README.md, Step 3)", quote(data), len(whole), errWhole, len(split), errSplit)
		}
		if errWhole != io.EOF && errWhole != io.ErrUnexpectedEOF && !errors.Is(errWhole, ErrFrameTooLarge) {
			t.Fatalf("reading frames from %s ended with %v; want io.EOF, io.ErrUnexpectedEOF or ErrFrameTooLarge. (README.md, Step 3)", quote(data), errWhole)
		}
		// Writing the frames again must give back the bytes they came from.
		var again bytes.Buffer
		for i, payload := range whole {
			if len(payload) > max {
				t.Fatalf("frame %d holds %d bytes, over max %d. (README.md, Step 3)", i, len(payload), max)
			}
			if !bytes.Equal(payload, split[i]) {
				t.Fatalf("frame %d differs between one Read and one byte per Read. (README.md, Step 3)", i)
			}
			WriteFrame(&again, payload)
		}
		if !bytes.HasPrefix(data, again.Bytes()) {
			t.Fatalf("the frames read from %s, written again, give %s: not the start of the input. (README.md, Step 3)", quote(data), quote(again.Bytes()))
		}
		if errWhole == io.EOF && again.Len() != len(data) {
			t.Fatalf("reading %s ended with a clean io.EOF, but %s was never read as a frame. (README.md, Step 3)", quote(data), quote(data[again.Len():]))
		}
	})
}
