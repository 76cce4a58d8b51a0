package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

const (
	starterDone = "package demo\n\nconst done = false\n"
	finalDone   = "package demo\n\nconst done = true\n"
	// Count is step 2: it passes a plain run, but two goroutines write last.
	starterCount = "package demo\n\nfunc Count(n int) int { return -1 }\n"
	racyCount    = `package demo

import (
	"sync"
	"sync/atomic"
)

func Count(n int) int {
	var total atomic.Int64
	var wg sync.WaitGroup
	last := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total.Add(1)
			last = i
		}()
	}
	wg.Wait()
	_ = last
	return int(total.Load())
}
`
)

// newCourse writes a tiny course into a temporary folder: a go.work with one
// lesson, lesson01-demo, whose step 1 passes once done.go says so, and whose
// step 2 passes once Count counts.
func newCourse(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	write(t, root, "go.work", "go 1.24.0\n\nuse ./lesson01-demo\n")
	addLesson(t, root, "lesson01-demo")
	return root
}

// addLesson writes a demo lesson into the course at root.
func addLesson(t *testing.T, root, name string) {
	t.Helper()
	write(t, root, name+"/go.mod", "module "+name+"\n\ngo 1.24.0\n")
	write(t, root, name+"/done.go", starterDone)
	write(t, root, name+"/count.go", starterCount)
	write(t, root, name+"/demo_test.go", `package demo

import "testing"

func TestStep1_IsDone(t *testing.T) {
	if !done {
		t.Fatal("step 1 is not done yet: set done")
	}
}

func TestStep2_CountsEveryGoroutine(t *testing.T) {
	if got := Count(20); got == -1 {
		t.Fatal("step 2 is not done yet: Count returned -1")
	} else if got != 20 {
		t.Fatalf("Count(20) = %d, want 20\n(README.md, Step 2)", got)
	}
}
`)
	write(t, root, name+"/README.md", "# Demo\n\n### Step 1 — Be done\n\nSet it.\n\n**Hint:** set done\nto true.\n\n### Step 2 — Count\n\n**Hint:** guard the counter with a mutex.\n")
}

func write(t *testing.T, root, rel, text string) {
	t.Helper()
	path := filepath.Join(root, rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// newProgress is progress for root as a learner in English runs it, writing
// to out, remembering nothing.
func newProgress(root string, out io.Writer) *progress {
	return &progress{root: root, out: out, tx: &english, limit: time.Minute, from: 1}
}

// withoutRace makes p skip the -race check, which has a test of its own:
// the other tests stay quick.
func withoutRace(t *testing.T, p *progress) *progress {
	t.Helper()
	require.NoError(t, p.setup())
	p.tc.noRace = "not in this test"
	return p
}

// lockedBuffer is written by the command under test while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls out until it contains want after offset, for at most a
// minute (go test builds the demo lesson on each run), and returns the
// offset just past it.
func waitFor(t *testing.T, out *lockedBuffer, offset int, want string) int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := out.String()
		if i := strings.Index(s[offset:], want); i >= 0 {
			return offset + i + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %q in the output:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond) // Polling output, not synchronising goroutines.
	}
}

func haveRace(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("go", "env", "CGO_ENABLED", "CC").Output(); err != nil || !strings.HasPrefix(string(out), "1\n") {
		t.Skip("-race needs cgo here")
	}
	if raceUnavailable(map[string]string{"CGO_ENABLED": "1", "CC": "gcc"}) != "" {
		t.Skip("-race needs a C compiler")
	}
}

func TestSummarizeSortsTestsIntoStepStates(t *testing.T) {
	run := course.Run{Built: true, Tests: []course.TestResult{
		{Name: "TestStep1_A", Step: 1, Action: "pass"},
		{Name: "TestStep1_B", Step: 1, Action: "pass"},
		{Name: "TestStep2_A", Step: 2, Action: "pass"},
		{Name: "TestStep2_B", Step: 2, Action: "fail", Output: "sent \"x\", got \"\""},
		{Name: "TestStep3_A", Step: 3, Action: "fail", Output: "step 3 is not done yet"},
		{Name: "TestStep3_B", Step: 3, Action: "fail", Output: "step 3 needs step 2 first: Listen returned ErrNotImplemented."},
		{Name: "TestStep4_A", Step: 4, Action: ""},
		{Name: "TestStep6_A", Step: 6, Action: "fail", Output: "got \"\", want \"x\""},
	}}
	described := []course.Step{{Number: 1, Title: "One"}, {Number: 5, Title: "Never ran"}}
	ls := summarize(course.Lesson{Name: "lesson01-demo"}, described, run)
	var states []state
	for _, s := range ls.steps {
		states = append(states, s.state)
	}
	require.Equal(t, []state{done, underway, todo, hanging, todo, failing}, states)
	require.Equal(t, "One", ls.steps[0].Title)
	require.Equal(t, 2, ls.next().Number)
	require.Equal(t, 1, ls.doneSteps())
	require.False(t, ls.complete())
}

func TestOverviewCountsStepsAndShowsTheNextStepAndItsHint(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	out := new(lockedBuffer)
	require.NoError(t, newProgress(root, out).overview(context.Background()))
	require.Contains(t, out.String(), "your progress — 0 of 2 steps done")
	require.Contains(t, out.String(), "[ ] Step 1 — Be done")
	require.Contains(t, out.String(), "Next: lesson 1 (demo), Step 1 — Be done")
	require.Contains(t, out.String(), "Hint: set done to true.")
	require.Contains(t, out.String(), "cd lesson01-demo && go test -run Step1")
	require.Contains(t, out.String(), "First failure, TestStep1_IsDone:\n    demo_test.go:7: step 1 is not done yet: set done\n")
	require.NotContains(t, out.String(), "\x1b[", "no colour unless asked")
}

func TestColourOnATerminal(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	write(t, root, "lesson01-demo/done.go", finalDone)
	out := new(lockedBuffer)
	p := withoutRace(t, newProgress(root, out))
	p.color = true
	require.NoError(t, p.overview(context.Background()))
	require.Contains(t, out.String(), "\x1b[32m[x] Step 1 — Be done\x1b[0m", "done is green")
	require.Contains(t, out.String(), "1 of 2 steps done")
}

func TestRememberedVerdictsAreUsedUntilAFileChanges(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	p := newProgress(root, io.Discard)
	p.mem = memory{dir: t.TempDir()}
	statuses, err := p.check(context.Background(), mustLessons(t, p), nil, nil)
	require.NoError(t, err)
	require.Equal(t, todo, statuses[0].steps[0].state)

	// Each test's time is remembered, for the next run to start the slowest first.
	var times map[string]time.Duration
	require.True(t, p.mem.load(timesKey(statuses[0].lesson.Dir), &times))
	require.Contains(t, times, "TestStep1_IsDone")

	// Every test said "not done yet": the verdict is sure, and remembered.
	var v verdict
	require.True(t, p.mem.load(statuses[0].key, &v))
	require.True(t, v.Sure)
	// Prove the next check reads it: doctor the remembered verdict.
	v.Run.Tests[0].Action = "pass"
	p.mem.save(statuses[0].key, v)
	statuses, err = p.check(context.Background(), mustLessons(t, p), nil, nil)
	require.NoError(t, err)
	require.Equal(t, done, statuses[0].steps[0].state, "an unchanged lesson's verdict comes from memory")

	write(t, root, "lesson01-demo/count.go", starterCount+"\n// A change.\n")
	statuses, err = p.check(context.Background(), mustLessons(t, p), nil, nil)
	require.NoError(t, err)
	require.Equal(t, todo, statuses[0].steps[0].state, "a changed lesson runs again")
}

func TestAFailureIsRememberedOnlyOnceItRepeats(t *testing.T) {
	failed := course.Run{Built: true, Tests: []course.TestResult{{Name: "TestStep1_A", Step: 1, Action: "fail", Output: "got 1, want 2"}}}
	v, ok := remember(verdict{}, failed)
	require.True(t, ok)
	require.False(t, v.Sure, "seen once, a real failure may be the machine's fault")
	v, ok = remember(v, failed)
	require.True(t, ok)
	require.True(t, v.Sure, "the same failure twice is the code's")

	hung := course.Run{Built: true, Tests: []course.TestResult{{Name: "TestStep1_A", Step: 1}}}
	_, ok = remember(verdict{}, hung)
	require.False(t, ok, "a hang is never remembered")
}

func mustLessons(t *testing.T, p *progress) []course.Lesson {
	t.Helper()
	lessons, err := p.lessons()
	require.NoError(t, err)
	return lessons
}

func TestARacyStepIsNotTicked(t *testing.T) {
	t.Parallel()
	haveRace(t)
	root := newCourse(t)
	write(t, root, "lesson01-demo/done.go", finalDone)
	write(t, root, "lesson01-demo/count.go", racyCount)
	out := new(lockedBuffer)
	require.NoError(t, newProgress(root, out).overview(context.Background()))
	require.Contains(t, out.String(), "[x] Step 1 — Be done")
	require.Contains(t, out.String(), "[!] Step 2 — Count   a data race (go test -race)")
	require.Contains(t, out.String(), "Next: lesson 1 (demo), Step 2 — Count")
	require.Contains(t, out.String(), "WARNING: DATA RACE")
	require.Contains(t, out.String(), "cd lesson01-demo && go test -race -run Step2")
}

func TestHintNamesTheStep(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	out := new(lockedBuffer)
	p := newProgress(root, out)
	require.NoError(t, p.hint(context.Background(), "1.1"))
	require.Contains(t, out.String(), "Step 1 — Be done")
	require.Contains(t, out.String(), "set done to true.")
	require.ErrorContains(t, p.hint(context.Background(), "1.7"), "has no step 7")
	require.ErrorContains(t, p.hint(context.Background(), "9.1"), "no lesson")
}

func TestHintKeepsWorkingWhenEveryLessonPasses(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	write(t, root, "lesson01-demo/done.go", finalDone)
	write(t, root, "lesson01-demo/count.go", strings.Replace(racyCount, "last = i", "_ = i", 1))
	out := new(lockedBuffer)
	require.NoError(t, newProgress(root, out).hint(context.Background(), "2"))
	require.Contains(t, out.String(), "lesson 1 (demo), Step 2 — Count")
	require.Contains(t, out.String(), "guard the counter with a mutex.")
}

func TestSpanishComesFromREADMEesAndLinksToItsSection(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	fixture, err := os.ReadFile(filepath.Join("testdata", "README.es.md"))
	require.NoError(t, err)
	write(t, root, "lesson01-demo/README.es.md", string(fixture))
	out := new(lockedBuffer)
	p := newProgress(root, out)
	p.tx = &spanish
	require.NoError(t, p.overview(context.Background()))
	require.Contains(t, out.String(), "tu progreso — 0 de 2 pasos hechos")
	require.Contains(t, out.String(), "[ ] Paso 1 — Terminar")
	require.Contains(t, out.String(), "Siguiente: lección 1 (demo), Paso 1 — Terminar")
	require.Contains(t, out.String(), "Lee: lesson01-demo/README.es.md#paso-1--terminar")
	require.Contains(t, out.String(), "Pista: si la prueba dice que no está hecho, pon `done` a `true`.")
	require.Contains(t, out.String(), "step 1 is not done yet", "the tests' own words stay in English")

	require.NoError(t, os.Remove(filepath.Join(root, "lesson01-demo", "README.es.md")))
	out = new(lockedBuffer)
	p.out = out
	require.NoError(t, p.overview(context.Background()))
	require.Contains(t, out.String(), "[ ] Step 1 — Be done", "without README.es.md, the steps are English")
	require.Contains(t, out.String(), "Lee: lesson01-demo/README.md#step-1--be-done")
	require.Equal(t, 1, strings.Count(out.String(), "no tiene README.es.md"), "and one line says so")
}

func TestLanguageFollowsTheFlagThenTheLocale(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "es_ES.UTF-8")
	tx, err := language("")
	require.NoError(t, err)
	require.Equal(t, &spanish, tx)
	tx, err = language("en")
	require.NoError(t, err)
	require.Equal(t, &english, tx)
	t.Setenv("LC_ALL", "C")
	tx, err = language("")
	require.NoError(t, err)
	require.Equal(t, &english, tx, "LC_ALL wins over LANG")
	_, err = language("fr")
	require.ErrorContains(t, err, "en (English) and es (español)")
}

// startWatch runs -watch on the course at root (without the -race check)
// until the test ends, and returns what it prints.
func startWatch(t *testing.T, root string) *lockedBuffer {
	t.Helper()
	out := new(lockedBuffer)
	p := withoutRace(t, newProgress(root, out))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- p.watch(ctx, 20*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(time.Minute):
			t.Error("watch did not stop within a minute of being cancelled")
		}
	})
	return out
}

func TestWatchRedrawsAndKeepsWatchingWhenEverythingPasses(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	write(t, root, "lesson01-demo/count.go", strings.Replace(racyCount, "last = i", "_ = i", 1))
	out := startWatch(t, root)

	at := waitFor(t, out, 0, "Watching lesson01-demo")
	write(t, root, "lesson01-demo/done.go", finalDone)
	at = waitFor(t, out, at, "done.go changed: running the tests.")
	at = waitFor(t, out, at, "[x] Step 1 — Be done")
	at = waitFor(t, out, at, "Every lesson passes. Still watching")
	at = waitFor(t, out, at, "Watching lesson01-demo")

	// Finished code: a mistake is still shown.
	write(t, root, "lesson01-demo/done.go", starterDone)
	at = waitFor(t, out, at, "done.go changed: running the tests.")
	waitFor(t, out, at, "[ ] Step 1 — Be done")
}

func TestWatchShowsTheStepOnBeforeTheOthersEnd(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	// Step 1 passes, but its test runs until the file gate exists: while it
	// waits, step 2, the step on, must get its verdict on the screen.
	write(t, root, "lesson01-demo/done.go", finalDone)
	write(t, root, "lesson01-demo/gate_test.go", `package demo

import (
	"os"
	"testing"
	"time"
)

func TestStep1_WaitsForTheGate(t *testing.T) {
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat("gate"); err == nil {
			return
		}
	}
	t.Fatal("no gate within a minute")
}
`)
	gate := filepath.Join(root, "lesson01-demo", "gate")
	write(t, root, "lesson01-demo/gate", "")
	out := startWatch(t, root)

	at := waitFor(t, out, 0, "Watching lesson01-demo")
	require.NoError(t, os.Remove(gate))
	write(t, root, "lesson01-demo/count.go", strings.Replace(racyCount, "last = i", "_ = i", 1))
	at = waitFor(t, out, at, "count.go changed: running the tests.")
	at = waitFor(t, out, at, "[.] Step 1 — Be done   running...")
	at = waitFor(t, out, at, "[x] Step 2 — Count")
	at = waitFor(t, out, at, "Running the tests...")
	write(t, root, "lesson01-demo/gate", "")
	waitFor(t, out, at, "Watching lesson01-demo")
}

func TestWatchMovesOnToTheNextLessonWhenOneIsFinished(t *testing.T) {
	t.Parallel()
	root := newCourse(t)
	write(t, root, "go.work", "go 1.24.0\n\nuse (\n\t./lesson01-demo\n\t./lesson02-demo\n)\n")
	addLesson(t, root, "lesson02-demo")
	write(t, root, "lesson01-demo/count.go", strings.Replace(racyCount, "last = i", "_ = i", 1))
	out := startWatch(t, root)

	at := waitFor(t, out, 0, "Watching lesson01-demo")
	write(t, root, "lesson01-demo/done.go", finalDone)
	at = waitFor(t, out, at, "Next: lesson 2 (demo), Step 1 — Be done")
	at = waitFor(t, out, at, "lesson 1 (demo) is complete! On to lesson 2 (demo).")
	waitFor(t, out, at, "Watching lesson02-demo")
}

func TestFlagsAfterTheCommandCountOrAreRefused(t *testing.T) {
	parse := func(args ...string) (*flag.FlagSet, []string, error) {
		fs := flag.NewFlagSet("progress", flag.ContinueOnError)
		fs.Bool("yes", false, "")
		fs.Bool("watch", false, "")
		fs.Int("from", 0, "")
		words, err := parseAnywhere(fs, args)
		if err == nil {
			err = checkFlags(fs, words)
		}
		return fs, words, err
	}
	fs, words, err := parse("reset", "1", "-yes")
	require.NoError(t, err)
	require.Equal(t, []string{"reset", "1"}, words)
	require.True(t, isSet(fs, "yes"), "reset 1 -yes means -yes")

	_, _, err = parse("hint", "2", "-yes")
	require.ErrorContains(t, err, "hint does not take -yes")
	_, _, err = parse("-watch", "reset", "1")
	require.ErrorContains(t, err, "reset does not take -watch")
	_, words, err = parse("-from", "3", "-watch")
	require.NoError(t, err)
	require.Empty(t, words)
}

func TestFailureTextKeepsTheWholeAssertion(t *testing.T) {
	output := "=== RUN   TestStep3_Deadline\n" +
		"    helpers_test.go:20: started a server on 127.0.0.1:1234\n" +
		"    step3_test.go:84: \n" +
		"        \tError Trace:\t/work/lesson03/step3_test.go:84\n" +
		"        \tError:      \tNot equal: \n" +
		"        \t            \texpected: 30\n" +
		"        \t            \tactual  : 0\n" +
		"        \tMessages:   \twith IdleTimeout 30s, return now.Add(s.IdleTimeout). (README.md, Step 3)\n" +
		"    step3_test.go:90: a second failure\n" +
		"--- FAIL: TestStep3_Deadline (0.00s)\n"
	text := failureText(output, &english, "go test -run Step3")
	require.Equal(t, "helpers_test.go:20: started a server on 127.0.0.1:1234", text,
		"the first entry, whole")

	text = failureText(strings.Replace(output, "    helpers_test.go:20: started a server on 127.0.0.1:1234\n", "", 1), &english, "go test -run Step3")
	require.Equal(t, "step3_test.go:84:\n"+
		"Error Trace: /work/lesson03/step3_test.go:84\n"+
		"Error:       Not equal:\n"+
		"             expected: 30\n"+
		"             actual  : 0\n"+
		"Messages:    with IdleTimeout 30s, return now.Add(s.IdleTimeout). (README.md, Step 3)", text)

	long := "    a_test.go:1: start\n" + strings.Repeat("        more\n", 40)
	text = failureText(long, &english, "cd x && go test -run Step1")
	require.Equal(t, maxFailureLines, len(strings.Split(text, "\n")))
	require.Contains(t, text, "(18 more lines: cd x && go test -run Step1)")
}

func TestResetRestoresOnlyTheLessonsTrackedFilesAfterAsking(t *testing.T) {
	t.Parallel()
	root := gitCourse(t)
	done := filepath.Join(root, "lesson01-demo", "done.go")
	mine := filepath.Join(root, "lesson01-demo", "notes.go")
	require.NoError(t, os.WriteFile(done, []byte(finalDone), 0o644))
	require.NoError(t, os.WriteFile(mine, []byte("package demo\n"), 0o644))

	out := new(lockedBuffer)
	p := newProgress(root, out)
	require.NoError(t, p.reset("1", "", false, strings.NewReader("n\n")))
	require.Contains(t, out.String(), "lesson01-demo/done.go")
	require.Contains(t, out.String(), "Nothing changed.")
	data, _ := os.ReadFile(done)
	require.Contains(t, string(data), "done = true", "answering no must change nothing")

	require.NoError(t, p.reset("lesson01-demo", "", false, strings.NewReader("y\n")))
	data, _ = os.ReadFile(done)
	require.Contains(t, string(data), "done = false", "answering yes restores the starter")
	_, err := os.Stat(mine)
	require.NoError(t, err, "reset must not touch a file the learner added")
}

func TestResetNeverWritesThroughASymbolicLink(t *testing.T) {
	t.Parallel()
	root := gitCourse(t)
	// Lesson 2 is outside lesson 1's folder; lesson 1's done.go and its
	// sub folder become links into it.
	other := filepath.Join(root, "lesson02-other")
	write(t, root, "lesson02-other/done.go", "lesson 2's own file\n")
	write(t, root, "lesson02-other/sub/file.go", "lesson 2's own sub file\n")
	done := filepath.Join(root, "lesson01-demo", "done.go")
	require.NoError(t, os.Remove(done))
	require.NoError(t, os.Symlink(filepath.Join(other, "done.go"), done))
	sub := filepath.Join(root, "lesson01-demo", "sub")
	require.NoError(t, os.RemoveAll(sub))
	require.NoError(t, os.Symlink(filepath.Join(other, "sub"), sub))
	write(t, root, "lesson01-demo/count.go", racyCount)

	out := new(lockedBuffer)
	require.NoError(t, newProgress(root, out).reset("1", "", true, strings.NewReader("")))
	require.Contains(t, out.String(), "lesson01-demo/done.go: a symbolic link")
	require.Contains(t, out.String(), "lesson01-demo/sub/file.go: its folder sub is a symbolic link")
	for file, want := range map[string]string{
		"lesson02-other/done.go":     "lesson 2's own file\n",
		"lesson02-other/sub/file.go": "lesson 2's own sub file\n",
		"lesson01-demo/count.go":     starterCount, // A regular file is still restored.
	} {
		data, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		require.Equal(t, want, string(data), file)
	}
	info, err := os.Lstat(done)
	require.NoError(t, err)
	require.NotZero(t, info.Mode()&os.ModeSymlink, "the link itself is left for the learner to remove")
}

// gitCourse is newCourse committed to a git repository, with a sub folder.
func gitCourse(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := newCourse(t)
	write(t, root, "lesson01-demo/sub/file.go", "package sub\n")
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q")
	git("add", ".")
	git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "course")
	return root
}
