package course

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// scratchModule writes a module of its own (outside the workspace, so the
// go command builds it alone) holding the given files, and returns its
// folder.
func scratchModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/scratch\n\ngo 1.26.0\n"
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

const shardTests = `package scratch

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestStep1_Passes(t *testing.T) { t.Log("fine") }

func TestStep1_PrintsWithoutANewline(t *testing.T) { fmt.Print("3 of 3") }

func TestStep1_HasSubtests(t *testing.T) {
	t.Run("a", func(t *testing.T) {})
	t.Run("b", func(t *testing.T) {})
}

func TestStep2_Fails(t *testing.T) { t.Fatal("step 2 is not done yet") }

func TestStep2_Skips(t *testing.T) { t.Skip("not here") }

func TestStep3_Panics(t *testing.T) {
	var m map[string]int
	m["x"] = 1
}

func TestStep3_ExitsZero(t *testing.T) { os.Exit(0) }

func TestStep4_Hangs(t *testing.T) { time.Sleep(time.Minute) }

func TestStep4_CrashesInAnotherGoroutine(t *testing.T) {
	done := make(chan struct{})
	go func() { defer close(done); panic("boom") }()
	<-done
}

func BenchmarkNotRun(b *testing.B) {}
`

func TestShardsRunsEachTestInItsOwnProcessAndTellsEveryOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	dir := scratchModule(t, map[string]string{"a_test.go": shardTests})
	var mu sync.Mutex
	var updates []Run
	s := Shards{
		Root:  dir,
		Limit: 2 * time.Second,
		First: func(pkg string, test TestResult) bool { return test.Step == 2 },
		Update: func(pkg string, run Run) {
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, "example.com/scratch", pkg)
			updates = append(updates, run)
		},
	}
	began := time.Now()
	runs := s.Run(t.Context(), []Package{{ImportPath: "example.com/scratch", Dir: dir}})
	run := runs["example.com/scratch"]
	require.True(t, run.Built, "the scratch package should build: %s", run.Output)
	require.Less(t, time.Since(began), 30*time.Second, "a test that hangs must be stopped at the limit")

	byName := map[string]TestResult{}
	var names []string
	for _, r := range run.Tests {
		byName[r.Name] = r
		names = append(names, r.Name)
		require.False(t, r.Pending, "%s is still pending in the final run", r.Name)
	}
	require.Equal(t, []string{"TestStep1_Passes", "TestStep1_PrintsWithoutANewline", "TestStep1_HasSubtests", "TestStep2_Fails", "TestStep2_Skips",
		"TestStep3_Panics", "TestStep3_ExitsZero", "TestStep4_Hangs", "TestStep4_CrashesInAnotherGoroutine"}, names,
		"tests in source order, benchmarks left out")

	require.Equal(t, "pass", byName["TestStep1_Passes"].Action)
	require.Contains(t, byName["TestStep1_Passes"].Output, "fine")
	require.NotContains(t, byName["TestStep1_Passes"].Output, "\nPASS\n", "the binary's last word is not the test's output")
	require.Equal(t, "pass", byName["TestStep1_PrintsWithoutANewline"].Action,
		"the verdict follows the test's output on the same line when that had no newline")
	require.Equal(t, "pass", byName["TestStep1_HasSubtests"].Action)
	require.Equal(t, "fail", byName["TestStep2_Fails"].Action)
	require.Contains(t, byName["TestStep2_Fails"].Output, "not done yet")
	require.Equal(t, "skip", byName["TestStep2_Skips"].Action)
	require.Equal(t, "fail", byName["TestStep3_Panics"].Action)
	require.Contains(t, byName["TestStep3_Panics"].Output, "assignment to entry in nil map")
	require.Equal(t, "fail", byName["TestStep3_ExitsZero"].Action, "os.Exit(0) in a test is a failure, as under go test")
	require.Equal(t, "", byName["TestStep4_Hangs"].Action, "a test stopped at the limit never finished")
	require.Equal(t, "fail", byName["TestStep4_CrashesInAnotherGoroutine"].Action)
	require.Contains(t, byName["TestStep4_CrashesInAnotherGoroutine"].Output, "boom")
	require.True(t, run.TimedOut)
	require.True(t, run.Panicked)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, updates, len(names), "one update per test")
	last := updates[len(updates)-1]
	for _, r := range last.Tests {
		require.False(t, r.Pending, "the last update has every test ended")
	}
	pendingAtFirst := 0
	for _, r := range updates[0].Tests {
		if r.Pending {
			pendingAtFirst++
		}
	}
	require.Equal(t, len(names)-1, pendingAtFirst, "the first update has one test ended")
}

func TestShardsStartsTheTestsAskedForFirstThenTheSlowest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	dir := scratchModule(t, map[string]string{"a_test.go": `package scratch

import "testing"

func TestStep1_A(t *testing.T) {}
func TestStep1_B(t *testing.T) {}
func TestStep2_A(t *testing.T) {}
func TestStep3_A(t *testing.T) {}
`})
	var ended []string
	s := Shards{
		Root:  dir,
		Jobs:  1,
		First: func(pkg string, test TestResult) bool { return test.Step == 3 },
		Cost: func(pkg string, test TestResult) time.Duration {
			return map[string]time.Duration{"TestStep2_A": 5 * time.Second, "TestStep1_B": time.Second}[test.Name]
		},
		Update: func(pkg string, run Run) {
			for _, r := range run.Tests {
				if !r.Pending && !contains(ended, r.Name) {
					ended = append(ended, r.Name)
				}
			}
		},
	}
	runs := s.Run(t.Context(), []Package{{ImportPath: "example.com/scratch", Dir: dir}})
	require.Equal(t, []string{"TestStep3_A", "TestStep2_A", "TestStep1_B", "TestStep1_A"}, ended,
		"the test asked for first, then the slowest last time, then the tests of unknown cost in order")
	require.Positive(t, runs["example.com/scratch"].Tests[0].Took, "each test's time is kept")
}

func TestShardsReportsABuildFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := scratchModule(t, map[string]string{"a_test.go": "package scratch\n\nimport \"testing\"\n\nfunc TestStep1_A(t *testing.T) { undefinedName() }\n"})
	runs := Shards{Root: dir}.Run(t.Context(), []Package{{ImportPath: "example.com/scratch", Dir: dir}})
	run := runs["example.com/scratch"]
	require.False(t, run.Built)
	require.Contains(t, run.Output, "undefined: undefinedName")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestShardsReportsADataRaceUnderRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary with -race")
	}
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("-race needs cgo")
	}
	dir := scratchModule(t, map[string]string{"a_test.go": `package scratch

import "testing"

func TestStep1_Races(t *testing.T) {
	n := 0
	done := make(chan struct{})
	go func() { n++; close(done) }()
	n++
	<-done
}
`})
	runs := Shards{Root: dir, Flags: []string{"-race"}}.Run(t.Context(), []Package{{ImportPath: "example.com/scratch", Dir: dir}})
	run := runs["example.com/scratch"]
	require.True(t, run.Built, run.Output)
	require.Equal(t, "fail", run.Tests[0].Action)
	require.Contains(t, run.Tests[0].Output, "WARNING: DATA RACE")
}

func TestShardsYieldsOnlyToTestsAskedForFirst(t *testing.T) {
	runs := map[string]Run{"p": {Tests: []TestResult{{Name: "TestStep1_A", Step: 1}, {Name: "TestStep2_A", Step: 2}}}}
	jobs := []job{{pkg: Package{ImportPath: "p"}, index: 0}, {pkg: Package{ImportPath: "p"}, index: 1}}
	for _, j := range (Shards{}).order(jobs, runs) {
		require.False(t, j.later, "with no test asked for first, every test runs at normal priority")
	}
	none := Shards{First: func(string, TestResult) bool { return false }}
	for _, j := range none.order(jobs, runs) {
		require.False(t, j.later, "with no test asked for first, every test runs at normal priority")
	}
	step2 := Shards{First: func(_ string, t TestResult) bool { return t.Step == 2 }}
	ordered := step2.order(jobs, runs)
	require.Equal(t, 1, ordered[0].index)
	require.False(t, ordered[0].later)
	require.True(t, ordered[1].later, "the others yield to the test asked for first")
}

func TestVerdictOfAProcessThatExitedZeroWithoutAVerdictLineIsAPass(t *testing.T) {
	require.Equal(t, "pass", verdictOf("TestStep1_A", "=== RUN   TestStep1_A\n", nil).Action)
}
