package main

// The mistake catalogues test the teacher. Each lesson has a file,
// tools/check/mistakes/<lesson folder>.txt, of slips learners make, each a
// small edit of the finished code. For every entry the check copies the
// solution into a scratch folder, applies the edit, builds the tests once,
// and runs the step's tests three times: every run must fail, within the
// bound, with the words of the hint that fits the mistake. CONTRIBUTING.md
// describes the file format.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

const (
	mistakeRuns  = 3                // a mistake that passes even once can tick a wrong step
	mistakeLimit = 20 * time.Second // the longest one run may take: no hang, whatever the mistake
)

// mistake is one entry of a catalogue: a learner's slip and what the step's
// tests must say about it.
type mistake struct {
	Line  int    // where the entry starts in its catalogue, for messages
	Step  int    // the step whose tests must catch it
	Desc  string // the mistake, as a learner would make it
	Edits []edit // applied in order to a copy of the solution
	Want  []string
	Race  bool // build and run the tests with -race
}

// edit replaces the one occurrence of Old in File (relative to the lesson
// folder) with New.
type edit struct {
	File     string
	Old, New string
}

// String names the entry the way a maintainer finds it in the file.
func (m mistake) String() string {
	return fmt.Sprintf("line %d, step %d: %s", m.Line, m.Step, m.Desc)
}

// parseMistakes reads a catalogue. Lines starting with "#" outside an
// --- old / --- end block are comments, as are blank lines.
func parseMistakes(r io.Reader) ([]mistake, error) {
	var (
		all    []mistake
		cur    *mistake
		file   string
		block  string // "", "old" or "new": which text the next lines belong to
		old    strings.Builder
		repl   strings.Builder
		lineNo int
	)
	finish := func() error {
		if cur == nil {
			return nil
		}
		switch {
		case block != "":
			return fmt.Errorf("line %d: the entry ends inside a --- %s block; close it with --- end", cur.Line, block)
		case len(cur.Edits) == 0:
			return fmt.Errorf("line %d: the entry has no --- old / --- new / --- end edit", cur.Line)
		case len(cur.Want) == 0:
			return fmt.Errorf("line %d: the entry has no want: line; name the words its failure must contain", cur.Line)
		}
		all = append(all, *cur)
		cur = nil
		return nil
	}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 1<<20)
	for scanner.Scan() {
		lineNo++
		line := strings.TrimSuffix(scanner.Text(), "\r")
		if block != "" {
			switch line {
			case "--- new":
				if block != "old" {
					return nil, fmt.Errorf("line %d: --- new twice; close the block with --- end", lineNo)
				}
				block = "new"
			case "--- end":
				if block != "new" {
					return nil, fmt.Errorf("line %d: --- end before --- new", lineNo)
				}
				e := edit{File: file, Old: old.String(), New: repl.String()}
				if e.Old == "" {
					return nil, fmt.Errorf("line %d: the --- old text is empty", lineNo)
				}
				if e.Old == e.New {
					return nil, fmt.Errorf("line %d: the --- new text is the --- old text; the edit changes nothing", lineNo)
				}
				cur.Edits = append(cur.Edits, e)
				old.Reset()
				repl.Reset()
				block = ""
			default:
				// The newline before --- new and --- end belongs to the text.
				if block == "old" {
					old.WriteString(line + "\n")
				} else {
					repl.WriteString(line + "\n")
				}
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "== "):
			if err := finish(); err != nil {
				return nil, err
			}
			head, desc, ok := strings.Cut(strings.TrimPrefix(line, "== "), ":")
			num, found := strings.CutPrefix(strings.ToLower(strings.TrimSpace(head)), "step ")
			step, err := strconv.Atoi(strings.TrimSpace(num))
			desc = strings.TrimSpace(desc)
			if !ok || !found || err != nil || step < 1 || desc == "" {
				return nil, fmt.Errorf("line %d: want \"== step N: what the learner did\", got %q", lineNo, line)
			}
			cur = &mistake{Line: lineNo, Step: step, Desc: desc}
			file = ""
		case cur == nil:
			return nil, fmt.Errorf("line %d: %q is outside an entry; start one with \"== step N: description\"", lineNo, line)
		case strings.HasPrefix(line, "file:"):
			file = filepath.ToSlash(strings.TrimSpace(strings.TrimPrefix(line, "file:")))
			if file == "" || filepath.IsAbs(file) || strings.HasPrefix(filepath.Clean(file), "..") {
				return nil, fmt.Errorf("line %d: file: needs a path inside the lesson folder, got %q", lineNo, file)
			}
		case strings.HasPrefix(line, "want:"):
			w := strings.TrimSpace(strings.TrimPrefix(line, "want:"))
			if w == "" {
				return nil, fmt.Errorf("line %d: want: is empty", lineNo)
			}
			cur.Want = append(cur.Want, w)
		case strings.HasPrefix(line, "race:"):
			switch v := strings.TrimSpace(strings.TrimPrefix(line, "race:")); v {
			case "yes":
				cur.Race = true
			case "no":
			default:
				return nil, fmt.Errorf("line %d: race: is yes or no, got %q", lineNo, v)
			}
		case line == "--- old":
			if file == "" {
				return nil, fmt.Errorf("line %d: --- old before any file: line", lineNo)
			}
			block = "old"
		default:
			return nil, fmt.Errorf("line %d: cannot read %q; an entry holds file:, want:, race: and --- old/--- new/--- end blocks", lineNo, line)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if block != "" && cur != nil {
		return nil, fmt.Errorf("line %d: the file ends inside a --- %s block", cur.Line, block)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return all, nil
}

// errStale marks an entry that no longer fits the solution: its old text is
// gone or ambiguous, or the edited code does not compile.
var errStale = errors.New("stale entry")

// apply makes the mistake in dir, a copy of the solution module.
func (m mistake) apply(dir string) error {
	for _, e := range m.Edits {
		path := filepath.Join(dir, filepath.FromSlash(e.File))
		text, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errStale, e.File, err)
		}
		switch n := strings.Count(string(text), e.Old); n {
		case 1:
		case 0:
			return fmt.Errorf("%w: the old text is not in %s:\n%s", errStale, e.File, indent(e.Old))
		default:
			return fmt.Errorf("%w: the old text occurs %d times in %s; quote more lines so it occurs once:\n%s", errStale, n, e.File, indent(e.Old))
		}
		text = []byte(strings.Replace(string(text), e.Old, e.New, 1))
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// mistakeResult is what became of one entry.
type mistakeResult struct {
	Lesson  course.Lesson
	Mistake mistake
	Problem string        // why it was not caught; "" if it was
	Skipped string        // why it could not run here; "" if it ran
	Slowest time.Duration // the longest of its runs
	Built   time.Duration // how long go test -c took
	Runs    []time.Duration
}

// mistakeOptions are the command line's say in the catalogue check.
type mistakeOptions struct {
	Filter string // run only entries whose "line N, step N: description" contains this
}

// checkMistakes runs the catalogue of every lesson given, lessons side by
// side, and prints one line per lesson.
func (c *checker) checkMistakes(ctx context.Context, lessons []course.Lesson, opts mistakeOptions) {
	type job struct {
		lesson  course.Lesson
		mistake mistake
	}
	var jobs []job
	bad := map[string]bool{}
	for _, l := range lessons {
		if l.Solution == "" {
			continue
		}
		name := fmt.Sprintf("lesson %d mistakes", l.Number)
		path := filepath.Join(c.root, "tools", "check", "mistakes", l.Name+".txt")
		f, err := os.Open(path)
		if err != nil {
			c.fail(name, "no catalogue: every lesson needs %s, the slips its tests must catch (CONTRIBUTING.md)", c.rel(path))
			bad[l.Name] = true
			continue
		}
		entries, err := parseMistakes(f)
		f.Close()
		if err != nil {
			c.fail(name, "%s: %v", c.rel(path), err)
			bad[l.Name] = true
			continue
		}
		if len(entries) == 0 {
			c.fail(name, "%s holds no entry", c.rel(path))
			bad[l.Name] = true
			continue
		}
		for _, m := range entries {
			if opts.Filter != "" && !strings.Contains(strings.ToLower(m.String()), strings.ToLower(opts.Filter)) {
				continue
			}
			jobs = append(jobs, job{l, m})
		}
	}

	if opts.Filter != "" && len(jobs) == 0 {
		c.fail("mistakes", "no catalogue entry matches %q", opts.Filter)
		return
	}
	work, err := newScratchWorkspace(c.root)
	if err != nil {
		c.fail("mistakes", "%v", err)
		return
	}
	defer os.RemoveAll(work.dir)

	// Building uses every core: build as many at once as there are cores.
	// The runs mostly wait on sockets and timers (a failing step waits out
	// its deadlines), so many of them overlap the builds and each other.
	c.start("mistake catalogues")
	results := make([]mistakeResult, len(jobs))
	builds := make(chan struct{}, max(1, runtime.NumCPU()))
	workers := make(chan struct{}, max(4, 6*runtime.NumCPU()))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		workers <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-workers }()
			results[i] = c.runMistake(ctx, work, j.lesson, j.mistake, builds)
			if c.verbose {
				r := results[i]
				var runs []string
				for _, d := range r.Runs {
					runs = append(runs, fmt.Sprintf("%.1f", d.Seconds()))
				}
				fmt.Printf("      lesson %d, %s: built in %.1f s, ran in %s s\n", j.lesson.Number, j.mistake, r.Built.Seconds(), strings.Join(runs, ", "))
			}
		}()
	}
	wg.Wait()
	// The lessons ran side by side: time them together, so that the slowest
	// checks at the end do not charge the whole run to the first lesson.
	c.pass("mistake catalogues", fmt.Sprintf("%d entries built and run, lessons side by side", len(jobs)))

	for _, l := range lessons {
		if bad[l.Name] || l.Solution == "" {
			continue
		}
		if opts.Filter != "" && !slices.ContainsFunc(jobs, func(j job) bool { return j.lesson.Name == l.Name }) {
			continue // The filter picked entries of other lessons only.
		}
		var problems, skipped []string
		caught, total := 0, 0
		var slowest mistakeResult
		for _, r := range results {
			if r.Lesson.Name != l.Name {
				continue
			}
			total++
			switch {
			case r.Skipped != "":
				skipped = append(skipped, fmt.Sprintf("%s: %s", r.Mistake, r.Skipped))
				continue
			case r.Problem != "":
				problems = append(problems, fmt.Sprintf("%s\n%s", r.Mistake, indent(r.Problem)))
			default:
				caught++
			}
			if r.Slowest > slowest.Slowest {
				slowest = r
			}
		}
		name := fmt.Sprintf("lesson %d mistakes: %d of %d caught, slowest %.1f s", l.Number, caught, total-len(skipped), slowest.Slowest.Seconds())
		if len(skipped) > 0 {
			name += fmt.Sprintf(", %d skipped", len(skipped))
		}
		detail := ""
		if slowest.Slowest > 0 {
			detail = "slowest: " + slowest.Mistake.String()
		}
		if len(problems) > 0 {
			c.fail(name, "%s", strings.Join(append(problems, skipped...), "\n"))
			continue
		}
		if len(skipped) > 0 {
			detail += "; skipped: " + strings.Join(skipped, "; ")
		}
		c.pass(name, detail)
	}
}

// rel names a path from the repository root.
func (c *checker) rel(path string) string {
	if r, err := filepath.Rel(c.root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// runMistake makes one mistake in a scratch copy of the solution, builds its
// tests once and runs the step's tests mistakeRuns times.
func (c *checker) runMistake(ctx context.Context, work scratchWorkspace, l course.Lesson, m mistake, builds chan struct{}) mistakeResult {
	res := mistakeResult{Lesson: l, Mistake: m}
	if m.Race && !c.race {
		res.Skipped = "needs -race, which needs cgo here"
		return res
	}
	dir, err := os.MkdirTemp(work.dir, l.Name+"-")
	if err != nil {
		res.Problem = err.Error()
		return res
	}
	defer os.RemoveAll(dir)
	if err := copyTree(l.Solution, dir); err != nil {
		res.Problem = err.Error()
		return res
	}
	if err := m.apply(dir); err != nil {
		res.Problem = err.Error()
		return res
	}

	bin := filepath.Join(dir, "step.test")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	// No vet (the solution check runs it) and no debug information: the
	// binary only has to run, and linking it is most of the cost.
	args := []string{"test", "-c", "-vet=off", "-ldflags=-s -w", "-o", bin}
	if m.Race {
		args = append(args, "-race")
	}
	builds <- struct{}{}
	began := time.Now()
	out, err := work.goCmd(ctx, dir, l.Solution, append(args, ".")...)
	<-builds
	res.Built = time.Since(began)
	if err != nil {
		res.Problem = fmt.Sprintf("%v: the edit does not compile:\n%s", errStale, c.tail(out, 15))
		return res
	}

	for run := 1; run <= mistakeRuns; run++ {
		r := runStepTests(ctx, dir, bin, m.Step)
		res.Slowest = max(res.Slowest, r.elapsed)
		res.Runs = append(res.Runs, r.elapsed)
		if ctx.Err() != nil {
			res.Problem = "interrupted"
			return res
		}
		if r.skipped() {
			res.Skipped = "the step's tests skip on " + runtime.GOOS
			return res
		}
		if problem := r.judge(m); problem != "" {
			res.Problem = fmt.Sprintf("run %d of %d: %s\n%s", run, mistakeRuns, problem, c.tail(r.output, 25))
			return res
		}
	}
	return res
}

// stepRun is one run of a step's tests.
type stepRun struct {
	output   string
	failed   bool // the binary exited with a failure of its own
	timedOut bool // the bound was hit and the process group killed
	elapsed  time.Duration
}

// runStepTests runs the step's tests once, the way `go test -count=1 -run
// StepN_` would, and kills the binary and anything it started once the
// bound is hit.
func runStepTests(ctx context.Context, dir, bin string, step int) stepRun {
	ctx, cancel := context.WithTimeout(ctx, mistakeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", fmt.Sprintf("^TestStep%d_", step), "-test.count=1", "-test.v")
	cmd.Dir = dir
	killGroupOnTimeout(cmd)
	cmd.WaitDelay = 2 * time.Second
	began := time.Now()
	out, err := cmd.CombinedOutput()
	r := stepRun{output: string(out), elapsed: time.Since(began)}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.timedOut = true
	case err != nil:
		r.failed = true
	}
	return r
}

// skipped reports whether every test of the step skipped: lesson 4 on Windows.
func (r stepRun) skipped() bool {
	return !r.failed && !r.timedOut && strings.Contains(r.output, "--- SKIP: TestStep") && !strings.Contains(r.output, "--- PASS: TestStep")
}

// judge says why a run did not catch the mistake, or "" if it did.
func (r stepRun) judge(m mistake) string {
	switch {
	case r.timedOut:
		return fmt.Sprintf("the step's tests were still running after %s: some wait has no bound", mistakeLimit)
	case !r.failed && strings.Contains(r.output, "no tests to run"):
		return fmt.Sprintf("no test matches ^TestStep%d_", m.Step)
	case !r.failed:
		return "the step's tests PASS with this mistake"
	}
	lower := strings.ToLower(r.output)
	var missing []string
	for _, w := range m.Want {
		if !strings.Contains(lower, strings.ToLower(w)) {
			missing = append(missing, strconv.Quote(w))
		}
	}
	if len(missing) > 0 {
		return "the tests fail, but their output lacks " + strings.Join(missing, ", ")
	}
	if !namesStep(r.output, m.Step) {
		return fmt.Sprintf("the tests fail without naming step %d", m.Step)
	}
	return ""
}

// scratchWorkspace is a folder holding a go.work that lists every module of
// the course except the solutions, so a scratch copy of a solution builds
// with the very versions (and module cache) the repository uses, offline.
type scratchWorkspace struct {
	dir     string
	root    string
	modules []string // absolute folders of the course's modules
	header  string   // go.work's go and toolchain lines
}

func newScratchWorkspace(root string) (scratchWorkspace, error) {
	w := scratchWorkspace{root: root}
	mods, err := course.Modules(root)
	if err != nil {
		return w, err
	}
	for _, m := range mods {
		w.modules = append(w.modules, filepath.Join(root, filepath.FromSlash(m)))
	}
	text, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return w, err
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "go ") || strings.HasPrefix(line, "toolchain ") {
			w.header += line + "\n"
		}
	}
	w.dir, err = os.MkdirTemp("", "course-mistakes-")
	return w, err
}

// goCmd runs the go command in dir, a copy of the module at original, in a
// workspace where dir takes the original's place.
func (w scratchWorkspace) goCmd(ctx context.Context, dir, original string, args ...string) (string, error) {
	var work strings.Builder
	work.WriteString(w.header + "\nuse (\n")
	fmt.Fprintf(&work, "\t%s\n", filepath.ToSlash(dir))
	for _, m := range w.modules {
		if m != original {
			fmt.Fprintf(&work, "\t%s\n", filepath.ToSlash(m))
		}
	}
	work.WriteString(")\n")
	gowork := filepath.Join(dir, "go.work")
	if err := os.WriteFile(gowork, []byte(work.String()), 0o644); err != nil {
		return "", err
	}
	if sum, err := os.ReadFile(filepath.Join(w.root, "go.work.sum")); err == nil {
		os.WriteFile(gowork+".sum", sum, 0o644)
	}
	return goCmdEnv(ctx, dir, []string{"GOWORK=" + gowork}, args...)
}

// copyTree copies the regular files under src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// filterLessons keeps the lessons whose folder name contains part.
func filterLessons(lessons []course.Lesson, part string) []course.Lesson {
	var picked []course.Lesson
	for _, l := range lessons {
		if strings.Contains(l.Name, part) {
			picked = append(picked, l)
		}
	}
	return picked
}

// summary prints the totals and exits, with status 1 if anything failed.
func (c *checker) summary(began time.Time) {
	fmt.Printf("\nchecked in %s\n", time.Since(began).Round(time.Second))
	fmt.Printf("%d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 {
		os.Exit(1)
	}
	os.Exit(0)
}
