package course

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TestResult is what one top-level test did.
type TestResult struct {
	Name   string
	Step   int    // N for TestStepN_..., 0 for other tests
	Action string // "pass", "fail", "skip", or "" if it never finished
	Output string // everything the test printed

	// Pending is set in the Run that Shards.Update is given while the test
	// has not ended yet; never in a finished Run.
	Pending bool
	// Took is how long the test's process ran, under Shards (0 under go test).
	Took time.Duration
}

// Passed reports whether the test passed.
func (r TestResult) Passed() bool { return r.Action == "pass" }

// Run is the outcome of running a lesson package's tests, by one
// `go test -json` (RunTests) or a process per test (Shards).
type Run struct {
	Tests    []TestResult  // top-level tests, in the order they started (Shards: listed)
	Elapsed  time.Duration // wall time, building included
	TestTime time.Duration // time the test binaries ran: as go test reports it, or the sum of Shards' processes
	Output   string        // everything go test printed, for diagnosis
	TimedOut bool          // the run was killed, or a test binary hit its -timeout
	Panicked bool          // some test panicked
	Built    bool          // the package compiled and its tests started

	ended bool // every test has its outcome: go test reported the package's end, or Shards ran them all
}

var stepTest = regexp.MustCompile(`^TestStep(\d+)_`)

// StepOf returns N for a test named TestStepN_..., or 0.
func StepOf(name string) int {
	m := stepTest.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// RunTests runs `go test -json` in dir with args (a package pattern and flags)
// and stops it after limit, killing the test binary too.
func RunTests(ctx context.Context, dir string, limit time.Duration, args ...string) Run {
	out, stderr, elapsed, killed := goTestJSON(ctx, dir, limit, args)
	run := parseTestJSON(out)
	run.Elapsed = elapsed
	run.Output = stderr + run.Output
	if killed {
		run.TimedOut = true
	}
	return run
}

// goTestJSON runs `go test -json args...` in dir for at most limit.
func goTestJSON(ctx context.Context, dir string, limit time.Duration, args []string) (out []byte, stderr string, elapsed time.Duration, killed bool) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	killGroupOnCancel(cmd)
	// If a stray child keeps the output pipe open, stop waiting for it.
	cmd.WaitDelay = 5 * time.Second
	var errs bytes.Buffer
	cmd.Stderr = &errs
	began := time.Now()
	out, _ = cmd.Output()
	return out, errs.String(), time.Since(began), errors.Is(ctx.Err(), context.DeadlineExceeded)
}

type testEvent struct {
	Action     string
	Package    string
	ImportPath string // on build-output events: "pkg [pkg.test]"
	Test       string
	Output     string
	Elapsed    float64 // seconds, on a package's final pass or fail
}

// packageOf names the package an event belongs to: its Package, or for a
// build event the package being built ("p [p.test]" and "p.test" are p's).
func (ev testEvent) packageOf() string {
	if ev.Package != "" {
		return ev.Package
	}
	pkg, _, _ := strings.Cut(ev.ImportPath, " ")
	return strings.TrimSuffix(pkg, ".test")
}

func parseTestJSON(out []byte) Run {
	return parseEvents(out, nil)[""]
}

func parseTestJSONPackages(out []byte) map[string]Run {
	return parseEvents(out, testEvent.packageOf)
}

// parseEvents reads go test -json output into one Run per key that keyOf
// gives each event (with keyOf nil, into one Run, keyed ""); lines that are
// not JSON go to every Run.
func parseEvents(out []byte, keyOf func(testEvent) string) map[string]Run {
	merged := keyOf == nil
	if merged {
		keyOf = func(testEvent) string { return "" }
	}
	type partial struct {
		run    Run
		all    strings.Builder
		byName map[string]*TestResult
		order  []string
	}
	parts := map[string]*partial{}
	get := func(key string) *partial {
		p, ok := parts[key]
		if !ok {
			p = &partial{byName: map[string]*TestResult{}}
			parts[key] = p
		}
		return p
	}
	var loose strings.Builder // not JSON: a go.work error, say
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var ev testEvent
		if json.Unmarshal(scanner.Bytes(), &ev) != nil {
			if merged {
				get("").all.WriteString(scanner.Text() + "\n") // In order, as before.
			} else {
				loose.WriteString(scanner.Text() + "\n")
			}
			continue
		}
		p := get(keyOf(ev))
		run := &p.run
		p.all.WriteString(ev.Output)
		if strings.Contains(ev.Output, "panic: test timed out") {
			run.TimedOut = true
		} else if strings.HasPrefix(ev.Output, "panic: ") {
			run.Panicked = true
		}
		top, _, _ := strings.Cut(ev.Test, "/")
		if top == "" {
			if ev.Action == "pass" || ev.Action == "fail" {
				run.TestTime += time.Duration(ev.Elapsed * float64(time.Second))
				run.ended = true
			}
			continue
		}
		run.Built = true
		r, ok := p.byName[top]
		if !ok {
			r = &TestResult{Name: top, Step: StepOf(top)}
			p.byName[top] = r
			p.order = append(p.order, top)
		}
		switch {
		case ev.Action == "output":
			r.Output += ev.Output
		case ev.Test == top && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
			r.Action = ev.Action
		}
	}
	if len(parts) == 0 {
		get(keyOf(testEvent{}))
	}
	runs := map[string]Run{}
	for key, p := range parts {
		for _, name := range p.order {
			p.run.Tests = append(p.run.Tests, *p.byName[name])
		}
		p.run.Output = loose.String() + p.all.String()
		runs[key] = p.run
	}
	return runs
}

// Steps returns the step numbers that have tests, in order.
func (r Run) Steps() []int {
	seen := map[int]bool{}
	var steps []int
	for _, t := range r.Tests {
		if t.Step > 0 && !seen[t.Step] {
			seen[t.Step] = true
			steps = append(steps, t.Step)
		}
	}
	sort.Ints(steps)
	return steps
}

// StepTests returns the tests of step n.
func (r Run) StepTests(n int) []TestResult {
	var tests []TestResult
	for _, t := range r.Tests {
		if t.Step == n {
			tests = append(tests, t)
		}
	}
	return tests
}
