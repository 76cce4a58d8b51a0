package hostile

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTailBufferKeepsTheLastBytes(t *testing.T) {
	b := newTailBuffer(8)
	b.Write([]byte("listening on "))
	b.Write([]byte("1234"))
	if got := b.String(); got != " on 1234" {
		t.Fatalf("a tail buffer of 8 after %q holds %q; want the last 8 bytes %q", "listening on 1234", got, " on 1234")
	}
}

func TestCasesApplyByTheServersFlags(t *testing.T) {
	lesson1 := &binaries{help: "  -addr string\n  -network string\n"}
	lesson3 := &binaries{help: "  -max-line int\n  -max-conns int\n", Client: "client"}
	if lesson1.offers([]Need{Lines}) || !lesson1.offers(nil) {
		t.Errorf("lesson 1's -h lists no -max-line: line cases must not apply, byte cases must")
	}
	if !lesson3.offers([]Need{Lines, Concurrent, Client, Linux}) {
		t.Errorf("lesson 3's -h lists -max-line and -max-conns, and it has a client: every case applies (Linux is the platform's, not the contract's)")
	}
	if lesson1.offers([]Need{Client}) {
		t.Errorf("a folder without cmd/client offers no client")
	}
}

func TestForEachStopsAtTheFirstError(t *testing.T) {
	var calls int
	err := forEach(context.Background(), 100, 1, func(i int) error {
		calls++
		if i == 2 {
			return errors.New("refused")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "connection 3: refused") || calls != 3 {
		t.Fatalf("forEach over 100 with the third failing: %d calls, error %v; want 3 calls and \"connection 3: refused\"", calls, err)
	}
}

func TestFormatIndentsAFailuresReason(t *testing.T) {
	got := Format(Result{Server: "lesson03-goroutines", Case: "grace-zero", Outcome: Failed, Detail: "one\ntwo", Elapsed: 2 * time.Second})
	want := "FAIL  lesson03-goroutines    grace-zero [2s]\n      one\n      two"
	if got != want {
		t.Fatalf("Format = %q; want %q", got, want)
	}
}

// TestCatchesANaiveServer runs three cases against testdata/naive, which
// echoes every line whatever its length and never closes an idle client:
// the two cases about those rules must fail, and say why; a case about
// what it does right must pass.
func TestCatchesANaiveServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a server and runs for about 15s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := Run(ctx, Config{
		Servers: []string{"testdata/naive"},
		Match:   regexp.MustCompile(`^(odd-bytes|max-line-exact|slow-sender)$`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		outcome Outcome
		says    string
	}{
		"odd-bytes":      {Passed, ""},
		"max-line-exact": {Failed, `want "short\nerror: line exceeds 16 bytes\n", then EOF`},
		"slow-sender":    {Failed, "a silent client should be closed after 2s"},
	}
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(results), len(want), results)
	}
	for _, r := range results {
		w := want[r.Case]
		if r.Outcome != w.outcome || !strings.Contains(r.Detail, w.says) {
			t.Errorf("%s against the naive server: %s (%s); want %s, saying %q", r.Case, r.Outcome, r.Detail, w.outcome, w.says)
		}
	}
}
