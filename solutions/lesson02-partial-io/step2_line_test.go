package partialio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
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
		line, err := readLine(t, lr)
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
		if err != nil {
			return lines, err
		}
	}
	t.Fatalf("ReadLine was called %d times on %d bytes of input and has not returned an error: at the end of the stream it must return io.EOF. Lines so far: %s. (README.md, Step 2)", inputLen+2, inputLen, quote(strings.Join(lines, "")))
	return nil, nil
}

// quoteLines shows the lines ReadLine returned, shortened like quote.
func quoteLines(lines []string) string {
	return fmt.Sprintf("%d lines: %s", len(lines), quote(strings.Join(lines, "")))
}

// readLine calls lr.ReadLine, stops the test plainly if the step is not done
// yet, and turns a panic into a failure that says where to look.
func readLine(t testing.TB, lr *LineReader) (line []byte, err error) {
	t.Helper()
	panicked := true
	defer func() {
		if p := recover(); panicked {
			t.Fatalf("ReadLine panicked: %v.\nWith i the index of the \"\\n\", cut the line first, line := lr.buf[:i+1:i+1], then move on, lr.buf = lr.buf[i+1:]; if you search from lr.scanned, i counts from there, and lr.scanned goes back to 0 after each line. (README.md, Step 2)", p)
		}
	}()
	line, err = lr.ReadLine()
	panicked = false
	requireDone(t, 2, "ReadLine", err)
	return line, err
}

// readers gives the same bytes as four kinds of stream: all in one Read,
// one byte per Read, half of each request, and the last bytes with io.EOF.
func readers(s string) map[string]io.Reader {
	return map[string]io.Reader{
		"one Read":             strings.NewReader(s),
		"iotest.OneByteReader": iotest.OneByteReader(strings.NewReader(s)),
		"iotest.HalfReader":    iotest.HalfReader(strings.NewReader(s)),
		"iotest.DataErrReader": iotest.DataErrReader(strings.NewReader(s)),
	}
}

func TestStep2_ReturnsEachLineWhateverPiecesItArrivesIn(t *testing.T) {
	sent := "first line\nsecond\n\nfourth, after an empty one\n"
	want := []string{"first line\n", "second\n", "\n", "fourth, after an empty one\n"}
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 100, len(sent))
		require.Truef(t, slices.Equal(want, got),
			"reading lines from %q delivered by %s gave %s. Each line must come back whole, with its \"\\n\", however the Reads cut the stream: keep the bytes after a \"\\n\" for the next call, and Read more only when buf holds no complete line. If you search from lr.scanned, the index counts from there: end := lr.scanned + i + 1. (README.md, Step 2)", sent, name, quoteLines(got))
		require.Truef(t, err == io.EOF, "after the last line of %q (delivered by %s), ReadLine returned %v; want io.EOF. (README.md, Step 2)", sent, name, err)
	}
}

func TestStep2_ManyLinesInOneReadComeBackOneByOne(t *testing.T) {
	sent := string(numberedLines(500, 20))
	got, err := readLines(t, strings.NewReader(sent), 100, len(sent))
	require.Lenf(t, got, 500,
		"500 lines arrived in one Read; ReadLine returned %d lines. You returned everything a Read gave you: return one line per call and keep the rest in lr.buf; the next call must look there before it Reads again. (README.md, Step 2)", len(got))
	require.Truef(t, err == io.EOF, "after 500 lines from one Read, ReadLine ended with %v; want io.EOF. (README.md, Step 2)", err)
	require.Truef(t, sent == strings.Join(got, ""), "500 lines from one Read, joined, are not the bytes that were sent: %s. (README.md, Step 2)", firstDifference([]byte(sent), []byte(strings.Join(got, ""))))
}

func TestStep2_ReturnsTheUnterminatedRemainderWithEOF(t *testing.T) {
	sent := "complete\nno newline at the end"
	for name, r := range readers(sent) {
		lr := NewLineReader(r, 100)
		line, err := readLine(t, lr)
		require.Truef(t, err == nil && string(line) == "complete\n",
			"reading %q delivered by %s, the first ReadLine returned %q, %v; want %q, nil. A Read may return bytes and an error (io.EOF too) at once: keep the error in lr.err and return the lines first, so that nothing is lost. (README.md, Step 2)", sent, name, line, err, "complete\n")

		line, err = readLine(t, lr)
		require.Truef(t, string(line) == "no newline at the end",
			"the stream (%s) ended after %q without a final \"\\n\"; ReadLine returned %s: it must return those bytes, together with io.EOF, so that nothing is lost. (README.md, Step 2)", name, "no newline at the end", quote(line))
		require.Truef(t, err == io.EOF, "the unterminated remainder must come with io.EOF; got %v (delivered by %s). (README.md, Step 2)", err, name)

		line, err = readLine(t, lr)
		require.Truef(t, line == nil && err == io.EOF,
			"after the remainder, ReadLine must keep returning nil, io.EOF; got %q, %v (delivered by %s). (README.md, Step 2)", line, err, name)
	}
}

func TestStep2_AcceptsALineOfExactlyTheLimit(t *testing.T) {
	sent := strings.Repeat("x", 64) + "\n"
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 64, len(sent))
		require.Truef(t, err == io.EOF,
			"a line of 64 bytes plus its \"\\n\", with a limit of 64, gave %v (%s). The limit counts the bytes before the \"\\n\": this line is allowed. (README.md, Step 2)", err, name)
		require.Truef(t, slices.Equal([]string{sent}, got), "a line of exactly the limit (64 bytes and its \"\\n\", delivered by %s) must come back whole; got %s. (README.md, Step 2)", name, quoteLines(got))
	}
}

func TestStep2_RejectsALineOverTheLimit(t *testing.T) {
	sent := "short\n" + strings.Repeat("y", 65) + "\nnever reached\n"
	for name, r := range readers(sent) {
		got, err := readLines(t, r, 64, len(sent))
		require.Truef(t, errors.Is(err, ErrLineTooLong),
			"the second line holds 65 bytes and its \"\\n\", the limit is 64; ReadLine returned %v (delivered by %s); want ErrLineTooLong. A complete line longer than the limit is too long as well: compare its length with max before you return it. (README.md, Step 2)", err, name)
		require.Truef(t, slices.Equal([]string{"short\n"}, got),
			"before the over-long line, ReadLine must return the lines that fit, and no piece of the over-long one (delivered by %s); got %s. (README.md, Step 2)", name, quoteLines(got))
	}
}

func TestStep2_GivesUpWithoutWaitingForTheNewline(t *testing.T) {
	// 65 bytes and no "\n" arrive, then the stream would block: the client
	// keeps the rest of its endless line to itself. The reader already knows
	// the line is too long and must not Read again.
	r := io.MultiReader(strings.NewReader(strings.Repeat("z", 65)),
		iotest.ErrReader(errors.New("ReadLine read again, although the 65 bytes it had, with no newline, were already over the limit of 64")))
	lr := NewLineReader(r, 64)
	line, err := readLine(t, lr)
	require.Truef(t, errors.Is(err, ErrLineTooLong),
		"65 bytes with no newline, limit 64: ReadLine returned %s, %v. Once lr.buf holds more than max bytes and no \"\\n\", return ErrLineTooLong at once, before the next Read: a peer that never sends \"\\n\" must not make you buffer (or wait) forever. (README.md, Step 2)", quote(line), err)
}

func TestStep2_LinesStayIntactAfterLaterCalls(t *testing.T) {
	sent := "alpha\nbravo\ncharlie\n" + strings.Repeat("delta", 2000) + "\n"
	lr := NewLineReader(iotest.HalfReader(strings.NewReader(sent)), 20000)
	var kept [][]byte
	for range len(sent) + 2 {
		line, err := readLine(t, lr)
		if len(line) > 0 {
			kept = append(kept, line)
		}
		if err != nil {
			break
		}
	}
	if joined := bytes.Join(kept, nil); string(joined) != sent {
		t.Fatalf("earlier lines changed after later calls: %s. A returned line must stay as it was: do not overwrite the part of lr.buf you returned in place; take line := lr.buf[:i+1:i+1] first, then move on with lr.buf = lr.buf[i+1:] and let append grow a new array, or return a copy. (README.md, Step 2)",
			firstDifference([]byte(sent), joined))
	}

	// A caller that appends to a line must not write over the next one.
	lr = NewLineReader(strings.NewReader("one\ntwo\n"), 100)
	first, _ := readLine(t, lr)
	_ = append(first, "OOPS"...)
	second, _ := readLine(t, lr)
	require.Truef(t, string(second) == "two\n",
		"appending to the first line wrote over the second, which became %s: return the line capped at its end, line := lr.buf[:i+1:i+1] (taken before lr.buf = lr.buf[i+1:]), or a copy. (README.md, Step 2)", quote(second))
}

func TestStep2_ReturnsReadErrorsWithTheBytesBeforeThem(t *testing.T) {
	// The first Read returns "par", the second fails with iotest.ErrTimeout.
	r := iotest.TimeoutReader(strings.NewReader("par"))
	lr := NewLineReader(r, 100)
	line, err := readLine(t, lr)
	require.Truef(t, errors.Is(err, iotest.ErrTimeout),
		"the second Read failed with %v; ReadLine returned %q, %v: return a Read error (other than a full line) as it is. (README.md, Step 2)", iotest.ErrTimeout, line, err)
	require.Truef(t, string(line) == "par", "ReadLine returned %s with the error; the bytes that arrived before the error must come back with it, so that nothing is lost. (README.md, Step 2)", quote(line))
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
			t.Fatalf("the same %s gave %q, %v in one Read but %q, %v one byte at a time: how the bytes arrive must not change the lines. (README.md, Step 2)",
				quote(data), whole, errWhole, split, errSplit)
		}
		if errWhole != io.EOF && !errors.Is(errWhole, ErrLineTooLong) {
			t.Fatalf("reading %s ended with %v; want io.EOF or ErrLineTooLong. (README.md, Step 2)", quote(data), errWhole)
		}
		joined := strings.Join(whole, "")
		if !strings.HasPrefix(string(data), joined) {
			t.Fatalf("the lines %q are not the start of the input %s. (README.md, Step 2)", whole, quote(data))
		}
		for i, line := range whole {
			body, ended := strings.CutSuffix(line, "\n")
			last := i == len(whole)-1
			if strings.Contains(body, "\n") || (!ended && !(last && errWhole == io.EOF)) {
				t.Fatalf("line %d of %s is %s: each line but an unterminated last one ends with its only \"\\n\". (README.md, Step 2)", i, quote(data), quote(line))
			}
			if len(body) > int(max) {
				t.Fatalf("line %s holds %d bytes, over the limit of %d. (README.md, Step 2)", quote(line), len(body), max)
			}
		}
		rest := string(data[len(joined):])
		if errWhole == io.EOF && rest != "" {
			t.Fatalf("reading %s ended with io.EOF, but %s never came back. (README.md, Step 2)", quote(data), quote(rest))
		}
		if errors.Is(errWhole, ErrLineTooLong) {
			next, _, _ := strings.Cut(rest, "\n")
			if len(next) <= int(max) {
				t.Fatalf("reading %s: ErrLineTooLong at %s, but its line holds %d bytes, within the limit of %d. (README.md, Step 2)", quote(data), quote(rest), len(next), max)
			}
		}
	})
}
