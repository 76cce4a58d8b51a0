package main

import (
	"bytes"
	"context"
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

// newCourse writes a tiny course into a temporary folder: a go.work with one
// lesson, lesson01-demo, whose single step test passes once done.go says so.
func newCourse(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	write("go.work", "go 1.24.0\n\nuse ./lesson01-demo\n")
	write("lesson01-demo/go.mod", "module demo\n\ngo 1.24.0\n")
	write("lesson01-demo/done.go", "package demo\n\nconst done = false\n")
	write("lesson01-demo/demo_test.go", `package demo

import "testing"

func TestStep1_IsDone(t *testing.T) {
	if !done {
		t.Fatal("step 1 is not done yet: set done")
	}
}
`)
	write("lesson01-demo/README.md", "# Demo\n\n### Step 1 — Be done\n\nSet it.\n\n**Hint:** set done\nto true.\n")
	return root
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

// waitFor polls out until it contains want, for at most a minute (go test
// builds the demo lesson on each run).
func waitFor(t *testing.T, out *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %q in the output:\n%s", want, out)
		}
		time.Sleep(50 * time.Millisecond) // Polling output, not synchronising goroutines.
	}
}

func TestSummarizeSortsTestsIntoStepStates(t *testing.T) {
	run := course.Run{Built: true, Tests: []course.TestResult{
		{Name: "TestStep1_A", Step: 1, Action: "pass"},
		{Name: "TestStep1_B", Step: 1, Action: "pass"},
		{Name: "TestStep2_A", Step: 2, Action: "pass"},
		{Name: "TestStep2_B", Step: 2, Action: "fail", Output: "sent \"x\", got \"\""},
		{Name: "TestStep3_A", Step: 3, Action: "fail", Output: "step 3 is not done yet"},
		{Name: "TestStep4_A", Step: 4, Action: ""},
	}}
	described := []course.Step{{Number: 1, Title: "One"}, {Number: 5, Title: "Never ran"}}
	ls := summarize(course.Lesson{Name: "lesson01-demo"}, described, run)
	require.Len(t, ls.steps, 5)
	var states []state
	for _, s := range ls.steps {
		states = append(states, s.state)
	}
	require.Equal(t, []state{done, failing, todo, hanging, todo}, states)
	require.Equal(t, "One", ls.steps[0].Title)
	require.Equal(t, 2, ls.next().Number)
	require.False(t, ls.complete())
}

func TestOverviewShowsTheNextStepAndItsHint(t *testing.T) {
	root := newCourse(t)
	out := new(lockedBuffer)
	p := &progress{root: root, out: out, limit: time.Minute}
	require.NoError(t, p.overview(context.Background()))
	require.Contains(t, out.String(), "[ ] Step 1 — Be done")
	require.Contains(t, out.String(), "Next: lesson 1 (demo), Step 1 — Be done")
	require.Contains(t, out.String(), "Hint: set done to true.")
	require.Contains(t, out.String(), "cd lesson01-demo && go test -run Step1")
}

func TestHintNamesTheStep(t *testing.T) {
	root := newCourse(t)
	out := new(lockedBuffer)
	p := &progress{root: root, out: out, limit: time.Minute}
	require.NoError(t, p.hint(context.Background(), "1.1"))
	require.Contains(t, out.String(), "Step 1 — Be done")
	require.Contains(t, out.String(), "set done to true.")
	require.ErrorContains(t, p.hint(context.Background(), "1.7"), "has no step 7")
	require.ErrorContains(t, p.hint(context.Background(), "9.1"), "no lesson")
}

func TestWatchRerunsTheTestsWhenAFileChanges(t *testing.T) {
	root := newCourse(t)
	out := new(lockedBuffer)
	p := &progress{root: root, out: out, limit: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- p.watch(ctx, 20*time.Millisecond) }()
	defer func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(time.Minute):
			t.Error("watch did not stop within a minute of being cancelled")
		}
	}()

	waitFor(t, out, "Watching lesson01-demo")
	done := filepath.Join(root, "lesson01-demo", "done.go")
	require.NoError(t, os.WriteFile(done, []byte("package demo\n\nconst done = true\n"), 0o644))
	waitFor(t, out, "done.go changed: running the tests.")
	waitFor(t, out, "[x] Step 1 — Be done")
}

func TestResetRestoresOnlyTheLessonsTrackedFilesAfterAsking(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := newCourse(t)
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q")
	git("add", ".")
	git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "course")

	done := filepath.Join(root, "lesson01-demo", "done.go")
	mine := filepath.Join(root, "lesson01-demo", "notes.go")
	require.NoError(t, os.WriteFile(done, []byte("package demo\n\nconst done = true\n"), 0o644))
	require.NoError(t, os.WriteFile(mine, []byte("package demo\n"), 0o644))

	out := new(lockedBuffer)
	p := &progress{root: root, out: out}
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
