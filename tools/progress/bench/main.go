// Command bench measures how long a learner waits for tools/progress, the way
// a learner uses it: in a scratch clone of the course, it times
//
//   - `go run ./tools/progress` with every starter untouched,
//   - the same with lessons 1 and 2 finished (their solution files copied in),
//   - `go run ./tools/progress -watch`: from saving a file of lesson 1 (the
//     solution of server.go, then the starter again, each time with a new
//     number in its code, so that go must compile, link and run the tests
//     again and no verdict is remembered) to the verdict of the step the
//     learner is on (the first that did not pass before the save), to the
//     verdict of every step, and to the final screen after the -race check
//     of steps that newly pass.
//
// It prints the median of each. Run it from the repository root:
//
//	go run ./tools/progress/bench
//
// The build cache is the one `go env GOCACHE` names, warm as a learner's is
// after the first run; the verdicts progress remembers (in the user cache
// folder) start empty in a folder of the scratch clone, so the first run of
// each mode, reported apart, is what a learner waits for after a change.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

func main() {
	runs := flag.Int("runs", 7, "how many times to time each mode")
	rev := flag.String("rev", "HEAD", "the commit of the course to clone and measure")
	keep := flag.Bool("keep", false, "keep the scratch clone (its path is printed)")
	flag.Parse()
	if err := run(*runs, *rev, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(runs int, rev string, keep bool) error {
	root, err := course.FindRoot(".")
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "progress-bench-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("scratch clone:", scratch)
	} else {
		defer os.RemoveAll(scratch)
	}
	if out, err := exec.Command("git", "clone", "-q", root, scratch).CombinedOutput(); err != nil {
		return fmt.Errorf("git clone: %v %s", err, out)
	}
	if out, err := exec.Command("git", "-C", scratch, "checkout", "-q", rev).CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout %s: %v %s", rev, err, out)
	}
	// A fresh user cache and config folder (for what progress remembers),
	// but the usual build cache and go settings.
	goenv, err := exec.Command("go", "env", "GOCACHE", "GOENV").Output()
	if err != nil {
		return fmt.Errorf("go env: %v", err)
	}
	settings := strings.Fields(string(goenv))
	env = append(os.Environ(), "NO_COLOR=1", "LANG=C", "LC_ALL=",
		"GOCACHE="+settings[0], "GOENV="+settings[1],
		"XDG_CACHE_HOME="+filepath.Join(scratch, ".cache"), "XDG_CONFIG_HOME="+filepath.Join(scratch, ".config"))
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("course at %s, %d runs per mode, load average %s", rev, runs, load)

	first, median, err := timeOverview(scratch, runs)
	if err != nil {
		return err
	}
	fmt.Printf("go run ./tools/progress, starters untouched:   median %s (first run %s)\n", median, first)

	for _, l := range []string{"lesson01-blocking", "lesson02-partial-io"} {
		if err := finish(scratch, l); err != nil {
			return err
		}
	}
	first, median, err = timeOverview(scratch, runs)
	if err != nil {
		return err
	}
	fmt.Printf("go run ./tools/progress, lessons 1-2 finished: median %s (first run %s)\n", median, first)
	if out, err := exec.Command("git", "-C", scratch, "checkout", "-q", "--", ".").CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout: %v %s", err, out)
	}

	step, lesson, final, err := timeWatch(scratch, runs)
	if err != nil {
		return err
	}
	fmt.Printf("-watch, save to the verdict of the step on:    median %s\n", step)
	fmt.Printf("-watch, save to the verdict of every step:     median %s (with the -race check: %s)\n", lesson, final)
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("load average at the end %s", load)
	return nil
}

// env is the environment of the learner's commands.
var env []string

// learner returns the command a learner types, run in the clone.
func learner(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", "./tools/progress"}, args...)...)
	cmd.Dir = dir
	cmd.Env = env
	return cmd
}

// timeOverview runs the checklist once, then runs times, and returns the
// first run's time and the median of the others.
func timeOverview(dir string, runs int) (first, median time.Duration, err error) {
	var times []time.Duration
	var out []byte
	for i := 0; i <= runs; i++ {
		began := time.Now()
		if out, err = learner(context.Background(), dir).CombinedOutput(); err != nil {
			return 0, 0, fmt.Errorf("go run ./tools/progress: %v\n%s", err, out)
		}
		times = append(times, time.Since(began))
	}
	header, _, _ := strings.Cut(string(out), "\n")
	fmt.Printf("  it says: %s\n", header)
	return times[0], medianOf(times[1:]), nil
}

// finish copies a lesson's finished files from solutions/ over the starter
// (the package's own .go files; cmd/ imports its own module and stays).
func finish(root, lesson string) error {
	files, _ := filepath.Glob(filepath.Join(root, "solutions", lesson, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, lesson, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// screen is one screen that -watch drew: what it is, and the marks of the
// steps in its checklist ("[x]", "[.]", ...), by step number.
type screen struct {
	kind  screenKind
	marks map[int]string
}

type screenKind int

const (
	partialScreen screenKind = iota // a run in progress: some steps have their verdict
	verdictScreen                   // every step has its verdict; newly passing steps go on to -race
	finalScreen                     // watching again: the -race check, if any, is over
)

var stepLine = regexp.MustCompile(`^\s+(\[.\]) Step (\d+) `)

// readScreens sends each screen -watch finishes drawing.
func readScreens(out io.Reader, screens chan<- screen) {
	defer close(screens)
	scanner := bufio.NewScanner(out)
	marks := map[int]string{}
	for scanner.Scan() {
		line := scanner.Text()
		if m := stepLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			marks[n] = m[1]
			continue
		}
		kind := partialScreen
		switch {
		case strings.HasPrefix(line, "Running the tests"):
		case strings.HasPrefix(line, "Checking ") && strings.Contains(line, "-race"):
			kind = verdictScreen
		case strings.HasPrefix(line, "Watching "):
			kind = finalScreen
		default:
			continue
		}
		screens <- screen{kind: kind, marks: marks}
		marks = map[int]string{}
	}
}

// timeWatch starts -watch, then saves lesson 1's server.go runs times,
// alternately finished and as the starter, and times each save until the
// screen shows the verdict of the step the learner is on (the first that
// did not pass before the save: its tests run first), until every step has
// its verdict (lesson), and until the screen is final, after the -race
// check of newly passing steps (final).
func timeWatch(dir string, runs int) (step, lesson, final time.Duration, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := learner(ctx, dir, "-watch")
	stopGroup(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer cmd.Wait()
	defer cancel()

	screens := make(chan screen, 1000)
	go readScreens(out, screens)
	next := func() (screen, error) {
		select {
		case s, ok := <-screens:
			if !ok {
				return screen{}, io.ErrUnexpectedEOF
			}
			return s, nil
		case <-time.After(3 * time.Minute):
			return screen{}, fmt.Errorf("no new screen from -watch within 3 minutes")
		}
	}
	var last screen
	for last.kind != finalScreen {
		if last, err = next(); err != nil {
			return 0, 0, 0, err
		}
	}
	server := filepath.Join(dir, "lesson01-blocking", "server.go")
	starter, err := os.ReadFile(server)
	if err != nil {
		return 0, 0, 0, err
	}
	finished, err := os.ReadFile(filepath.Join(dir, "solutions", "lesson01-blocking", "server.go"))
	if err != nil {
		return 0, 0, 0, err
	}
	var steps, lessons, finals []time.Duration
	var focused []int
	for i := 0; i < runs; i++ {
		text := finished
		if i%2 == 1 {
			text = starter
		}
		focus := firstNotDone(last.marks)
		focused = append(focused, focus)
		// A new number in the code each time: a real change, which go must
		// compile, link and run again (an unused function would leave the
		// test binary as it was), and a file progress has never seen.
		text = append(append([]byte(nil), text...), fmt.Sprintf("\nvar edits int\n\nfunc init() { edits += %d }\n", time.Now().UnixNano())...)
		began := time.Now()
		if err := os.WriteFile(server, text, 0o644); err != nil {
			return 0, 0, 0, err
		}
		stepSeen, lessonSeen := false, false
		for {
			s, err := next()
			if err != nil {
				return 0, 0, 0, err
			}
			if !stepSeen && s.marks[focus] != "" && s.marks[focus] != "[.]" {
				steps = append(steps, time.Since(began))
				stepSeen = true
			}
			if !lessonSeen && s.kind != partialScreen {
				lessons = append(lessons, time.Since(began))
				lessonSeen = true
			}
			if s.kind == finalScreen {
				finals = append(finals, time.Since(began))
				last = s
				break
			}
		}
		// Let the screen settle, as a learner reads it before the next save,
		// and forget any screen drawn meanwhile.
		time.Sleep(300 * time.Millisecond)
		for len(screens) > 0 {
			last = <-screens
		}
	}
	fmt.Printf("  each save, the step on: %v (steps %v)\n", rounded(steps), focused)
	fmt.Printf("  each save, every step:  %v\n", rounded(lessons))
	return medianOf(steps), medianOf(lessons), medianOf(finals), nil
}

// firstNotDone returns the first step whose mark is not [x], or 0.
func firstNotDone(marks map[int]string) int {
	var numbers []int
	for n := range marks {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	for _, n := range numbers {
		if marks[n] != "[x]" {
			return n
		}
	}
	return 0
}

func rounded(times []time.Duration) []time.Duration {
	var out []time.Duration
	for _, t := range times {
		out = append(out, t.Round(10*time.Millisecond))
	}
	return out
}

func medianOf(times []time.Duration) time.Duration {
	if len(times) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)/2].Round(10 * time.Millisecond)
}
