package course

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Package is a package to test: its import path and its folder.
type Package struct {
	ImportPath string
	Dir        string
}

// Shards runs tests the fast way for a learner who waits for them: it builds
// each package's test binary once (`go test -c`), then runs every top-level
// test in a process of its own, several at a time.
//
// `go test` runs a package's tests one after another, so a lesson takes as
// long as all its tests added up, and most of that is waiting: a test that
// checks a timeout waits for it. Side by side, a lesson takes about as long
// as its slowest test. A process per test also keeps tests apart: a leaked
// goroutine or descriptor, or a crash, is charged to the test that caused it.
type Shards struct {
	Root  string        // the folder go test -c runs in: the workspace root
	Flags []string      // extra build flags, such as -race
	Match string        // which top-level tests to run, as for -run; "" runs them all
	Limit time.Duration // the longest one test may run; then it is killed and reported as never finished
	Jobs  int           // test processes at once; 0 means four per CPU, since tests mostly wait

	// First, if set, says which tests to start before the others: the ones
	// the learner is waiting for.
	First func(pkg string, test TestResult) bool
	// Cost, if set, says how long a test took last time (0: not known).
	// Among the tests that are not first, the longest start first, so that
	// a slow test does not begin last and keep everyone waiting.
	Cost func(pkg string, test TestResult) time.Duration
	// Update, if set, is called each time a test ends, with its package's
	// Run so far: tests that have not ended yet are Pending. Calls never
	// overlap.
	Update func(pkg string, run Run)
}

// buildLimit bounds `go test -c`. A first build compiles the standard
// library for the race detector, which takes minutes on a small machine;
// a build never waits for anything else.
const buildLimit = 10 * time.Minute

// Run builds and runs the packages' tests and returns one Run per package,
// by import path. A package that does not build has Built false and the
// compiler's words in Output.
func (s Shards) Run(ctx context.Context, pkgs []Package) map[string]Run {
	began := time.Now()
	runs := map[string]Run{}
	scratch, err := os.MkdirTemp("", "course-tests-")
	if err != nil {
		for _, p := range pkgs {
			runs[p.ImportPath] = Run{Output: err.Error()}
		}
		return runs
	}
	defer os.RemoveAll(scratch)

	bins := s.build(ctx, scratch, pkgs, runs)
	var jobs []job
	for _, p := range pkgs {
		bin, ok := bins[p.ImportPath]
		if !ok {
			continue
		}
		names, err := s.list(ctx, bin, p.Dir)
		if err != nil {
			runs[p.ImportPath] = Run{Output: err.Error(), Panicked: strings.Contains(err.Error(), "panic: ")}
			continue
		}
		run := Run{Built: true}
		for _, name := range names {
			jobs = append(jobs, job{pkg: p, bin: bin, index: len(run.Tests)})
			run.Tests = append(run.Tests, TestResult{Name: name, Step: StepOf(name), Pending: true})
		}
		runs[p.ImportPath] = run
	}
	jobs = s.order(jobs, runs)
	s.runAll(ctx, jobs, runs)
	for pkg, run := range runs {
		for i := range run.Tests {
			run.Tests[i].Pending = false // Cancelled before it began: it never finished.
		}
		run.ended = true
		run.Elapsed = time.Since(began)
		runs[pkg] = run
	}
	return runs
}

// order puts the tests asked for first before the others, and among the
// others the longest (by Cost) first; otherwise it keeps the tests in the
// order they are listed.
func (s Shards) order(jobs []job, runs map[string]Run) []job {
	test := func(j job) TestResult { return runs[j.pkg.ImportPath].Tests[j.index] }
	var first, rest []job
	for _, j := range jobs {
		if s.First != nil && s.First(j.pkg.ImportPath, test(j)) {
			first = append(first, j)
		} else {
			rest = append(rest, j)
		}
	}
	if len(first) > 0 {
		// Only then is there something to yield to: otherwise every test
		// runs at normal priority, as under go test.
		for i := range rest {
			rest[i].later = true
		}
	}
	if s.Cost != nil {
		sort.SliceStable(rest, func(a, b int) bool {
			return s.Cost(rest[a].pkg.ImportPath, test(rest[a])) > s.Cost(rest[b].pkg.ImportPath, test(rest[b]))
		})
	}
	return append(first, rest...)
}

// job is one test to run: the index-th test of pkg's Run.
type job struct {
	pkg   Package
	bin   string
	index int
	later bool // not one of the tests asked for first: it yields the CPU to them
}

// build compiles every package's test binary into dir with one go command,
// so the packages build side by side, and returns their paths. A package
// that fails to build gets its Run in runs.
func (s Shards) build(ctx context.Context, dir string, pkgs []Package, runs map[string]Run) map[string]string {
	bins := map[string]string{}
	args := []string{"test", "-c", "-json", "-vet=off", "-o", dir + string(filepath.Separator)}
	// No symbol table or DWARF: nobody debugs these binaries, and leaving
	// them out makes the link, the slowest part of a rebuild, a third faster.
	// Stack traces do not need them.
	args = append(args, "-ldflags=-s -w")
	args = append(args, s.Flags...)
	named := map[string]string{}
	for _, p := range pkgs {
		base := path.Base(p.ImportPath)
		if other, ok := named[base]; ok {
			runs[p.ImportPath] = Run{Output: fmt.Sprintf("cannot build %s and %s at once: both test binaries would be named %s.test", other, p.ImportPath, base)}
			continue
		}
		named[base] = p.ImportPath
		args = append(args, p.ImportPath)
	}
	ctx, cancel := context.WithTimeout(ctx, buildLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = s.Root
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	said := parseTestJSONPackages(out)
	for _, p := range pkgs {
		if _, failed := runs[p.ImportPath]; failed {
			continue
		}
		bin := filepath.Join(dir, path.Base(p.ImportPath)+".test")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if _, err := os.Stat(bin); err == nil {
			bins[p.ImportPath] = bin
			continue
		}
		// go test -c -json puts the compiler's words in build-output events
		// of the package; anything else (a broken go.work) on stderr.
		why := strings.TrimSpace(stderr.String() + said[p.ImportPath].Output)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("go test -c did not finish within %v\n%s", buildLimit, why)
		}
		if why == "" {
			why = "go test -c wrote no test binary: the package has no test files"
		}
		runs[p.ImportPath] = Run{Output: why}
	}
	return bins
}

// list asks a test binary which top-level tests it would run. Benchmarks
// are left out: go test runs them only with -bench.
func (s Shards) list(ctx context.Context, bin, dir string) ([]string, error) {
	match := s.Match
	if match == "" {
		match = "."
	}
	ctx, cancel := context.WithTimeout(ctx, s.limit())
	defer cancel()
	cmd, out := testCommand(ctx, bin, dir, "-test.list", match)
	if err := cmd.Run(); err != nil {
		// The package's init or TestMain failed before any test.
		return nil, fmt.Errorf("%s\n%v", strings.TrimSpace(out.String()), err)
	}
	var names []string
	for _, line := range strings.Split(out.String(), "\n") {
		line = strings.TrimSpace(line)
		if isTestName(line) {
			names = append(names, line)
		}
	}
	return names, nil
}

// isTestName reports whether a line of -test.list is something go test
// runs by default: a test, an example or a fuzz target's seed corpus.
func isTestName(line string) bool {
	for _, prefix := range []string{"Test", "Example", "Fuzz"} {
		if strings.HasPrefix(line, prefix) && !strings.ContainsAny(line, " \t") {
			return true
		}
	}
	return false
}

func (s Shards) limit() time.Duration {
	if s.Limit > 0 {
		return s.Limit
	}
	return 10 * time.Minute // go test's own default
}

// runAll runs the jobs, at most s.Jobs at once, in order, and records each
// result in runs as it ends.
func (s Shards) runAll(ctx context.Context, jobs []job, runs map[string]Run) {
	n := s.Jobs
	if n <= 0 {
		n = 4 * runtime.NumCPU()
	}
	var mu sync.Mutex // guards runs, and keeps calls of Update apart
	var wg sync.WaitGroup
	slots := make(chan struct{}, n)
	for _, j := range jobs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			mu.Lock()
			name := runs[j.pkg.ImportPath].Tests[j.index].Name
			mu.Unlock()
			result := s.runOne(ctx, j.bin, j.pkg.Dir, name, j.later)
			mu.Lock()
			defer mu.Unlock()
			run := runs[j.pkg.ImportPath]
			run.Tests[j.index] = result.test
			run.TimedOut = run.TimedOut || result.timedOut
			run.Panicked = run.Panicked || result.panicked
			run.TestTime += result.took
			run.ended = !run.pending()
			runs[j.pkg.ImportPath] = run
			// Once the run is cancelled, the tests were killed, not failed:
			// nothing more to show.
			if s.Update != nil && ctx.Err() == nil {
				s.Update(j.pkg.ImportPath, run.copy())
			}
		}()
	}
	wg.Wait()
}

// oneTest is the outcome of one test's process.
type oneTest struct {
	test     TestResult
	timedOut bool
	panicked bool
	took     time.Duration
}

// runOne runs one top-level test in its own process, as go test would run
// it (in the package's folder, -test.paniconexit0 so that a call of
// os.Exit(0) in a test is a failure), and reads its verdict from -test.v.
//
// A test that runs later runs at a lower priority where the system has
// one: on a machine with few cores the tests the learner waits for get the
// CPU first, and the others use what is left.
func (s Shards) runOne(ctx context.Context, bin, dir, name string, later bool) oneTest {
	limit := s.limit()
	// The binary's own -test.timeout panics with the running test's stack;
	// the context kills it if even that does not come.
	ctx, cancel := context.WithTimeout(ctx, limit+10*time.Second)
	defer cancel()
	cmd, out := testCommand(ctx, bin, dir, "-test.run", "^"+regexp.QuoteMeta(name)+"$",
		"-test.v", "-test.timeout", limit.String(), "-test.paniconexit0")
	began := time.Now()
	err := cmd.Start()
	if err == nil {
		if later {
			yieldCPU(cmd)
		}
		err = cmd.Wait()
	}
	r := oneTest{took: time.Since(began)}
	r.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded) || strings.Contains(out.String(), "panic: test timed out")
	r.panicked = !r.timedOut && hasLine(out.String(), "panic: ")
	if r.timedOut || ctx.Err() != nil {
		// It never finished (or the run was cancelled and it was killed):
		// no verdict, whatever the process said.
		r.test = TestResult{Name: name, Step: StepOf(name), Output: out.String(), Took: r.took}
		return r
	}
	r.test = verdictOf(name, out.String(), err)
	r.test.Took = r.took
	return r
}

// verdictOf reads what one test's process printed under -test.v: the line
// "--- PASS: name (...)" (or FAIL, SKIP) gives the verdict. It may follow
// the test's own output on the same line, when that did not end with a
// newline. A process that fails after its test passed (a leak found by
// TestMain, say) fails the test; one that ended without a verdict (a crash
// in another goroutine) failed it; one that exited 0 without a verdict line
// passed.
func verdictOf(name, output string, err error) TestResult {
	r := TestResult{Name: name, Step: StepOf(name)}
	var kept []string
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, action := range []string{"pass", "fail", "skip"} {
			if strings.Contains(line, "--- "+strings.ToUpper(action)+": "+name+" (") {
				r.Action = action
			}
		}
		// The binary's last words, PASS or FAIL, are about the whole run.
		if r.Action != "" && (line == "PASS" || line == "FAIL") {
			continue
		}
		kept = append(kept, line)
	}
	r.Output = strings.Join(kept, "\n") + "\n"
	if err == nil && r.Action == "" {
		r.Action = "pass"
	}
	if err != nil && r.Action != "fail" && r.Action != "skip" {
		r.Action = "fail"
		r.Output += fmt.Sprintf("the test binary failed after %s: %v\n", name, err)
	}
	return r
}

// testCommand prepares a test binary's run in the package's folder, as go
// test runs it, with its output (standard output and error, in order) in
// out, killed with its process group when ctx ends.
func testCommand(ctx context.Context, bin, dir string, args ...string) (cmd *exec.Cmd, out *bytes.Buffer) {
	cmd = exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = testEnv()
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second // If a stray child keeps the pipe open, stop waiting for it.
	out = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// testEnv is the environment of a test binary: ours, except that a binary
// built with -race does not sleep a second before it exits. The race
// detector waits so that goroutines still running can report a race; a
// test's races are reported while it runs (the testing package fails the
// test), and one process per test would pay that second for every test.
func testEnv() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// hasLine reports whether a line of s begins with prefix.
func hasLine(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) || strings.Contains(s, "\n"+prefix)
}

// pending reports whether some test of the run has not ended yet.
func (r Run) pending() bool {
	for _, t := range r.Tests {
		if t.Pending {
			return true
		}
	}
	return false
}

// copy returns r with its own Tests, safe to keep while r changes.
func (r Run) copy() Run {
	r.Tests = append([]TestResult(nil), r.Tests...)
	return r
}
