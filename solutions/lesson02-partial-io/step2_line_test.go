package partialio

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// Step 2: a LineReader cuts a stream into lines, whatever pieces it arrives in.

// readLines calls ReadLine until it returns an error, and returns every line
// and that error. It stops the test plainly if the step is not done yet, and
// gives up (as a failure) after far more calls than the input could need.
func readLines(t testing.TB, r io.Reader, max, inputLen int) ([]string, error) {
	t.Helper()
	lr := NewLineReader(r, max)
	var lines []string
	for range inputLen + 2 {
		line, err := lr.ReadLine()
		requireDone(t, 2, "ReadLine", err)
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
		if err != nil {
			return lines, err
		}
	}
	t.Fatalf("ReadLine was called %d times on %d bytes of input and has not returned an error: at the end of the stream it must return io.EOF. Lines so far: %q", inputLen+2, inputLen, lines)
	return nil, nil
}

// readers gives the same bytes as four kinds of stream: all in one Read,
// one byte per Read, half of each request, and the last bytes with io.EOF.
func readers(s string) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":         strings.NewReader(s),
		"OneByteReader": iotest.OneByteReader(strings.NewReader(s)),
		"HalfReader":    iotest.HalfReader(strings.NewReader(s)),
		"DataErrReader": iotest.DataErrReader(strings.NewReader(s)),
	}
}

func TestStep2_ReturnsEachLineWhateverPiecesItArrivesIn(t *testing.T) {
	sent := "first line\nsecond\n\nfourth, after an empty one\n"
	want := []string{"first line\n", "second\n", "\n", "fourth, after an empty one\n"}
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 100, len(sent))
		require.Equalf(t, want, got,
			"reading lines from %q delivered by %s. Each line must come back whole, with its \"\\n\", however the Reads cut the stream: keep the bytes after a \"\\n\" for the next call, and Read more only when buf holds no complete line. (README.md, Step 2)", sent, name)
		require.Truef(t, err == io.EOF, "after the last line of %q (%s), ReadLine returned %v; want io.EOF", sent, name, err)
	}
}

func TestStep2_ManyLinesInOneReadComeBackOneByOne(t *testing.T) {
	sent := string(numberedLines(500, 20))
	got, err := readLines(t, strings.NewReader(sent), 100, len(sent))
	require.Truef(t, err == io.EOF, "ReadLine ended with %v; want io.EOF", err)
	require.Lenf(t, got, 500,
		"500 lines arrived in one Read; ReadLine returned %d lines. Return one line per call and keep the rest in buf: the next call must look there before it Reads again. (README.md, Step 2)", len(got))
	require.Equal(t, sent, strings.Join(got, ""), "the lines, joined, must be exactly the bytes that were sent")
}

func TestStep2_ReturnsTheUnterminatedRemainderWithEOF(t *testing.T) {
	sent := "complete\nno newline at the end"
	for name, r := range readers(sent) {
		lr := NewLineReader(r, 100)
		line, err := lr.ReadLine()
		requireDone(t, 2, "ReadLine", err)
		require.NoError(t, err, name)
		require.Equal(t, "complete\n", string(line), name)

		line, err = lr.ReadLine()
		require.Equalf(t, "no newline at the end", string(line),
			"the stream (%s) ended after %q without a final \"\\n\"; ReadLine must return those bytes, together with io.EOF, so that nothing is lost. (README.md, Step 2)", name, "no newline at the end")
		require.Truef(t, err == io.EOF, "the unterminated remainder must come with io.EOF; got %v (%s)", err, name)

		line, err = lr.ReadLine()
		require.Truef(t, line == nil && err == io.EOF,
			"after the remainder, ReadLine must keep returning nil, io.EOF; got %q, %v (%s)", line, err, name)
	}
}

func TestStep2_AcceptsALineOfExactlyTheLimit(t *testing.T) {
	sent := strings.Repeat("x", 64) + "\n"
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 64, len(sent))
		require.Truef(t, err == io.EOF,
			"a line of 64 bytes plus its \"\\n\", with a limit of 64, gave %v (%s). The limit counts the bytes before the \"\\n\": this line is allowed. (README.md, Step 2)", err, name)
		require.Equal(t, []string{sent}, got, name)
	}
}

func TestStep2_RejectsALineOverTheLimit(t *testing.T) {
	sent := "short\n" + strings.Repeat("y", 65) + "\nnever reached\n"
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 64, len(sent))
		require.Truef(t, errors.Is(err, ErrLineTooLong),
			"the second line holds 65 bytes, the limit is 64; ReadLine returned %v (%s); want ErrLineTooLong. (README.md, Step 2)", err, name)
		require.Equalf(t, []string{"short\n"}, got,
			"before the over-long line, ReadLine must return the lines that fit, and no piece of the over-long one (%s)", name)
	}
}

func TestStep2_GivesUpWithoutWaitingForTheNewline(t *testing.T) {
	// 65 bytes and no "\n" arrive, then the stream would block: the client
	// keeps the rest of its endless line to itself. The reader already knows
	// the line is too long and must not Read again.
	r := io.MultiReader(strings.NewReader(strings.Repeat("z", 65)),
		iotest.ErrReader(errors.New("ReadLine read again, although the 65 bytes it had, with no newline, were already over the limit of 64")))
	lr := NewLineReader(r, 64)
	line, err := lr.ReadLine()
	requireDone(t, 2, "ReadLine", err)
	require.Truef(t, errors.Is(err, ErrLineTooLong),
		"ReadLine returned %q, %v. Once buf holds more than max bytes and no \"\\n\", return ErrLineTooLong at once: a peer that never sends \"\\n\" must not make you buffer (or wait) forever. (README.md, Step 2)", line, err)
}

func TestStep2_LinesStayIntactAfterLaterCalls(t *testing.T) {
	sent := "alpha\nbravo\ncharlie\n" + strings.Repeat("delta", 2000) + "\n"
	lr := NewLineReader(iotest.HalfReader(strings.NewReader(sent)), 20000)
	var kept [][]byte
	for {
		line, err := lr.ReadLine()
		requireDone(t, 2, "ReadLine", err)
		if len(line) > 0 {
			kept = append(kept, line)
		}
		if err != nil {
			break
		}
	}
	require.Equalf(t, sent, string(bytes.Join(kept, nil)),
		"the lines ReadLine returned changed after later calls. A returned line must stay as it was: do not overwrite the part of buf you returned: take line := buf[:i+1:i+1] first, then move on with buf = buf[i+1:] and let append grow a new array, or return a copy. (README.md, Step 2)")

	// A caller that appends to a line must not write over the next one.
	lr = NewLineReader(strings.NewReader("one\ntwo\n"), 100)
	first, _ := lr.ReadLine()
	_ = append(first, "OOPS"...)
	second, _ := lr.ReadLine()
	require.Equalf(t, "two\n", string(second),
		"appending to the first line wrote over the second: return the line capped at its end, line := buf[:i+1:i+1] (taken before buf = buf[i+1:]), or a copy. (README.md, Step 2)")
}

func TestStep2_ReturnsReadErrorsWithTheBytesBeforeThem(t *testing.T) {
	// The first Read returns "par", the second fails with iotest.ErrTimeout.
	r := iotest.TimeoutReader(strings.NewReader("par"))
	lr := NewLineReader(r, 100)
	line, err := lr.ReadLine()
	requireDone(t, 2, "ReadLine", err)
	require.Truef(t, errors.Is(err, iotest.ErrTimeout),
		"the second Read failed with %v; ReadLine returned %q, %v: return a Read error (other than a full line) as it is. (README.md, Step 2)", iotest.ErrTimeout, line, err)
	require.Equal(t, "par", string(line), "the bytes that arrived before the error must come back with it")
}

// FuzzReadLine feeds arbitrary bytes and limits to a LineReader, in one Read
// and one byte per Read, and checks what must hold whatever the input.
// Run it with: go test -run FuzzReadLine -fuzz FuzzReadLine -fuzztime 30s
func FuzzReadLine(f *testing.F) {
	_, err := NewLineReader(strings.NewReader("x\n"), 10).ReadLine()
	requireDone(f, 2, "ReadLine", err)

	f.Add([]byte("hello\nworld\n"), uint8(10))
	f.Add([]byte("no newline"), uint8(3))
	f.Add([]byte("\n\n\n"), uint8(0))
	f.Add([]byte("exactly8\nnine more\n"), uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		whole, errWhole := readLines(t, bytes.NewReader(data), int(max), len(data))
		split, errSplit := readLines(t, iotest.OneByteReader(bytes.NewReader(data)), int(max), len(data))
		if strings.Join(whole, "|") != strings.Join(split, "|") || !sameEnd(errWhole, errSplit, io.EOF, ErrLineTooLong) {
			t.Fatalf("the same %q gave %q, %v in one Read but %q, %v one byte at a time: how the bytes arrive must not change the lines",
				data, whole, errWhole, split, errSplit)
		}
		if errWhole != io.EOF && !errors.Is(errWhole, ErrLineTooLong) {
			t.Fatalf("reading %q ended with %v; want io.EOF or ErrLineTooLong", data, errWhole)
		}
		joined := strings.Join(whole, "")
		if !strings.HasPrefix(string(data), joined) {
			t.Fatalf("the lines %q are not the start of the input %q", whole, data)
		}
		for i, line := range whole {
			body, ended := strings.CutSuffix(line, "\n")
			last := i == len(whole)-1
			if strings.Contains(body, "\n") || (!ended && !(last && errWhole == io.EOF)) {
				t.Fatalf("line %d of %q is %q: each line but an unterminated last one ends with its only \"\\n\"", i, data, line)
			}
			if len(body) > int(max) {
				t.Fatalf("line %q holds %d bytes, over the limit of %d", line, len(body), max)
			}
		}
		rest := string(data[len(joined):])
		if errWhole == io.EOF && rest != "" {
			t.Fatalf("reading %q ended with io.EOF, but %q never came back", data, rest)
		}
		if errors.Is(errWhole, ErrLineTooLong) {
			next, _, _ := strings.Cut(rest, "\n")
			if len(next) <= int(max) {
				t.Fatalf("reading %q: ErrLineTooLong at %q, but its line holds %d bytes, within the limit of %d", data, rest, len(next), max)
			}
		}
	})
}
