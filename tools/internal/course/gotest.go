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
}

// Passed reports whether the test passed.
func (r TestResult) Passed() bool { return r.Action == "pass" }

// Run is the outcome of one `go test -json` run over a lesson's package.
type Run struct {
	Tests    []TestResult  // top-level tests, in the order they started
	Elapsed  time.Duration // wall time, building included
	TestTime time.Duration // time the test binaries ran, as go test reports it
	Output   string        // everything go test printed, for diagnosis
	TimedOut bool          // the run was killed, or a test binary hit its -timeout
	Panicked bool          // some test panicked
	Built    bool          // the package compiled and its tests started
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
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	killGroupOnCancel(cmd)
	// If a stray child keeps the output pipe open, stop waiting for it.
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	began := time.Now()
	out, _ := cmd.Output()
	run := parseTestJSON(out)
	run.Elapsed = time.Since(began)
	run.Output = stderr.String() + run.Output
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		run.TimedOut = true
	}
	return run
}

type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64 // seconds, on a package's final pass or fail
}

func parseTestJSON(out []byte) Run {
	var run Run
	var all strings.Builder
	byName := map[string]*TestResult{}
	var order []string
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var ev testEvent
		if json.Unmarshal(scanner.Bytes(), &ev) != nil {
			all.WriteString(scanner.Text() + "\n") // Not JSON: a build error, say.
			continue
		}
		all.WriteString(ev.Output)
		if strings.Contains(ev.Output, "panic: test timed out") {
			run.TimedOut = true
		} else if strings.HasPrefix(ev.Output, "panic: ") {
			run.Panicked = true
		}
		top, _, _ := strings.Cut(ev.Test, "/")
		if top == "" {
			if ev.Action == "pass" || ev.Action == "fail" {
				run.TestTime += time.Duration(ev.Elapsed * float64(time.Second))
			}
			continue
		}
		run.Built = true
		r, ok := byName[top]
		if !ok {
			r = &TestResult{Name: top, Step: StepOf(top)}
			byName[top] = r
			order = append(order, top)
		}
		switch {
		case ev.Action == "output":
			r.Output += ev.Output
		case ev.Test == top && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
			r.Action = ev.Action
		}
	}
	for _, name := range order {
		run.Tests = append(run.Tests, *byName[name])
	}
	run.Output = all.String()
	return run
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
