package hostile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Case is one attack: a plain function that starts the server under test
// as it needs (through t.Start) and returns nil when the server held.
type Case struct {
	Name string
	// Needs lists what the server's contract must offer for the case to
	// apply; a server that lacks one (lesson 1 has no -max-line) skips it.
	Needs []Need
	// Doc says in one line what the case does and what it expects.
	Doc string
	Run func(ctx context.Context, t *T) error
	// Limit bounds the whole case, waits included.
	Limit time.Duration
}

// Need is one part of a server's contract, read from its -h output.
type Need string

const (
	// Lines: the server echoes lines and takes -max-line (lessons 2 to 4).
	Lines Need = "-max-line"
	// Concurrent: the server serves many clients at once and takes
	// -max-conns, -idle-timeout and -grace (lessons 3 and 4).
	Concurrent Need = "-max-conns"
	// Linux: the case reads /proc or sets resource limits.
	Linux Need = "linux"
	// Client: the folder has a cmd/client to attack from the other side.
	Client Need = "cmd/client"
)

// Result is what one case found against one server.
type Result struct {
	Server  string // the folder's name, e.g. "lesson03-goroutines"
	Case    string
	Outcome Outcome
	Detail  string // figures for a pass, the reason for a skip or failure
	Elapsed time.Duration
}

// Outcome is how a case ended.
type Outcome string

const (
	Passed  Outcome = "ok"
	Failed  Outcome = "FAIL"
	Skipped Outcome = "skip"
)

// Config says what to attack and with what.
type Config struct {
	Servers []string       // folders holding cmd/server (and maybe cmd/client)
	Match   *regexp.Regexp // run only cases whose name matches; nil runs all
	// Report is called as each case ends (from several goroutines, one at
	// a time).
	Report func(Result)
}

// Run builds every server and runs every case that applies to it. Servers
// are attacked side by side, each by one case at a time, so that a case's
// figures (CPU, memory) are its own server's alone. It returns every
// result, in the order they ended.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	tmp, err := os.MkdirTemp("", "hostile")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var (
		mu      sync.Mutex
		results []Result
		wg      sync.WaitGroup
	)
	record := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r)
		if cfg.Report != nil {
			cfg.Report(r)
		}
	}
	for i, dir := range cfg.Servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attack(ctx, dir, filepath.Join(tmp, fmt.Sprint(i)), cfg.Match, record)
		}()
	}
	wg.Wait()
	return results, ctx.Err()
}

// attack builds one server and runs the cases that apply to it, in turn.
func attack(ctx context.Context, dir, out string, match *regexp.Regexp, record func(Result)) {
	name := filepath.Base(filepath.Clean(dir))
	if runtime.GOOS == "windows" {
		record(Result{Server: name, Case: "all", Outcome: Skipped,
			Detail: "the suite needs a Unix system: it signals servers and kills their process groups"})
		return
	}
	bin, err := build(ctx, dir, out)
	if err != nil {
		record(Result{Server: name, Case: "build", Outcome: Failed, Detail: err.Error()})
		return
	}
	for _, c := range Cases {
		if match != nil && !match.MatchString(c.Name) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		began := time.Now()
		r := Result{Server: name, Case: c.Name}
		if !bin.offers(c.Needs) {
			continue // not part of this server's contract: lesson 1 has no lines
		}
		if missing := bin.lacks(c.Needs); missing != "" {
			r.Outcome, r.Detail = Skipped, missing
			record(r)
			continue
		}
		r.Outcome, r.Detail = runCase(ctx, c, bin)
		r.Elapsed = time.Since(began)
		record(r)
	}
}

// runCase runs one case within its limit and kills whatever it started.
func runCase(ctx context.Context, c Case, bin *binaries) (Outcome, string) {
	limit := c.Limit
	if limit == 0 {
		limit = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := &T{bin: bin}
	defer t.cleanup()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("the case panicked: %v", p)
			}
		}()
		done <- c.Run(ctx, t)
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// Killing the server ends every wait on its sockets: give the
		// case a moment to notice, then report the limit.
		t.cleanup()
		err = fmt.Errorf("the case did not end within its limit of %v (last step: %s)", limit, t.lastStep())
		select {
		case caseErr := <-done:
			if caseErr != nil {
				err = fmt.Errorf("%w; then: %v", err, caseErr)
			}
		case <-time.After(5 * time.Second):
		}
	}
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		return Skipped, skip.reason
	case err != nil:
		return Failed, err.Error()
	default:
		return Passed, strings.Join(t.notes(), ", ")
	}
}

// skipError marks a case that cannot run here (no /proc, no rlimit).
type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }

// Skip returns the error a case returns when it cannot run here.
func Skip(format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...)}
}
