package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// toolchain is what progress learns once from `go env`.
type toolchain struct {
	env       string // go env's answer, part of every verdict's key
	workspace []string
	lessons   []course.Lesson // every lesson of the workspace
	noRace    string          // why -race cannot run here, or ""
}

// setup asks go for its settings and for the workspace's modules, once,
// both at the same time: each answer costs a go command's start-up.
func (p *progress) setup() error {
	p.once.Do(func() {
		var env map[string]string
		var envOut []byte
		var envErr error
		asked := make(chan struct{})
		go func() {
			defer close(asked)
			envOut, envErr = exec.Command("go", "env", "-json", "GOVERSION", "GOOS", "GOARCH", "GOFLAGS",
				"CGO_ENABLED", "CC", "GOEXPERIMENT", "GOAMD64", "GOARM64", "GOROOT").Output()
			if envErr == nil {
				envErr = json.Unmarshal(envOut, &env)
			}
		}()
		mods, err := course.Modules(p.root)
		<-asked
		switch {
		case envErr != nil:
			p.setupErr = fmt.Errorf("go env: %v", envErr)
			return
		case err != nil:
			p.setupErr = err
			return
		}
		p.tc.env = string(envOut) + "GODEBUG=" + os.Getenv("GODEBUG")
		p.tc.noRace = raceUnavailable(env)
		p.tc.workspace = []string{filepath.Join(p.root, "go.work"), filepath.Join(p.root, "go.work.sum")}
		for _, m := range mods {
			dir := filepath.Join(p.root, filepath.FromSlash(m))
			p.tc.workspace = append(p.tc.workspace, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.sum"))
		}
		p.tc.lessons = course.LessonsOf(p.root, mods)
	})
	return p.setupErr
}

// raceUnavailable says why the race detector cannot run, or "".
func raceUnavailable(env map[string]string) string {
	if env["CGO_ENABLED"] != "1" {
		return "CGO_ENABLED is " + strconv.Quote(env["CGO_ENABLED"])
	}
	cc := strings.Fields(env["CC"])
	if len(cc) == 0 {
		cc = []string{"gcc"}
	}
	if _, err := exec.LookPath(cc[0]); err != nil {
		return "no C compiler " + cc[0] + " in PATH"
	}
	return ""
}

// steps reads the lesson's steps in the learner's language, or in English
// when the lesson has no README in it.
func (p *progress) steps(l course.Lesson) (steps []course.Step, english bool) {
	steps, err := course.ReadEditionSteps(l.Dir, p.tx.edition)
	if err != nil && p.tx.edition != course.English {
		steps, _ = course.ReadSteps(l.Dir)
		return steps, true
	}
	return steps, false
}

// check runs the tests of lessons and sorts them by step. Lessons whose
// verdict is remembered for their current files cost nothing; the others
// are built at once and their tests run side by side, a process per test
// (see course.Shards). It does not run -race: see checkRace.
//
// first names, by lesson, the step the learner is waiting for: its tests
// start before the others. show, if not nil, is given a lesson's status
// each time one of its steps gets its verdict, while the others run on.
func (p *progress) check(ctx context.Context, lessons []course.Lesson, first map[string]int, show func(lessonStatus)) ([]lessonStatus, error) {
	if err := p.setup(); err != nil {
		return nil, err
	}
	runs := make([]course.Run, len(lessons))
	keys := make([]string, len(lessons))
	before := make([]verdict, len(lessons))
	var stale []course.Package
	index := map[string]int{} // import path → lesson
	for i, l := range lessons {
		keys[i] = inputs(p.tc.env, p.tc.workspace, l.Dir)
		if !p.fresh && p.mem.load(keys[i], &before[i]) && before[i].Sure {
			runs[i] = before[i].Run
			continue
		}
		pkg, err := course.ModulePath(l.Dir)
		if err != nil {
			runs[i] = course.Run{Output: err.Error()}
			continue
		}
		index[pkg] = i
		stale = append(stale, course.Package{ImportPath: pkg, Dir: l.Dir})
	}
	if len(stale) > 0 {
		took := map[string]map[string]time.Duration{} // import path → test → how long it took last time
		for _, pkg := range stale {
			var times map[string]time.Duration
			p.mem.load(timesKey(pkg.Dir), &times)
			took[pkg.ImportPath] = times
		}
		shards := course.Shards{
			Root:  p.root,
			Limit: p.limit,
			First: func(pkg string, t course.TestResult) bool {
				return t.Step > 0 && t.Step == first[lessons[index[pkg]].Name]
			},
			Cost: func(pkg string, t course.TestResult) time.Duration { return took[pkg][t.Name] },
		}
		if show != nil {
			settled := map[string]int{} // lesson → steps with a verdict
			shards.Update = func(pkg string, run course.Run) {
				ls := p.status(lessons[index[pkg]], run)
				// Once every step has its verdict, the caller shows it.
				if n := ls.settledSteps(); n > settled[pkg] && n < len(ls.steps) {
					settled[pkg] = n
					show(ls)
				}
			}
		}
		byPkg := shards.Run(ctx, stale)
		for _, pkg := range stale {
			i := index[pkg.ImportPath]
			runs[i] = byPkg[pkg.ImportPath]
			if ctx.Err() != nil {
				continue // Cut short: neither the verdict nor the times are true.
			}
			p.rememberTimes(pkg.Dir, runs[i])
			if v, ok := remember(before[i], runs[i]); ok {
				p.mem.save(keys[i], v)
			}
		}
	}
	statuses := make([]lessonStatus, len(lessons))
	for i, l := range lessons {
		statuses[i] = p.status(l, runs[i])
		statuses[i].key = keys[i]
	}
	return statuses, ctx.Err()
}

// rememberTimes keeps how long each test of a run took, for the next run
// to start the slowest first.
func (p *progress) rememberTimes(lessonDir string, run course.Run) {
	times := map[string]time.Duration{}
	for _, t := range run.Tests {
		if t.Took > 0 {
			times[t.Name] = t.Took
		}
	}
	if len(times) > 0 {
		p.mem.save(timesKey(lessonDir), times)
	}
}

// status sorts a lesson's run by step, with the steps' titles in the
// learner's language.
func (p *progress) status(l course.Lesson, run course.Run) lessonStatus {
	described, english := p.steps(l)
	ls := summarize(l, described, run)
	ls.english = english
	return ls
}

// pick finds a lesson's package in a run of several.
func pick(byPkg map[string]course.Run, l course.Lesson) course.Run {
	if mod, err := course.ModulePath(l.Dir); err == nil {
		if run, ok := byPkg[mod]; ok {
			return run
		}
	}
	// go test could not even start (a broken go.work, say): show what it said.
	var said []string
	for _, run := range byPkg {
		said = append(said, run.Output)
	}
	return course.Run{Output: strings.Join(said, "\n")}
}

// verdict is a remembered test run. A run is Sure when running the tests
// again would surely give the same result: every test passed or said "not
// done yet", or the same tests failed twice in a row with the same files.
type verdict struct {
	Run  course.Run
	Sure bool
}

// remember decides what to remember of run, given the verdict remembered
// before for the same files: nothing for a run that hung, panicked or did
// not build (it runs again next time); a failure once seen is remembered as
// unsure, and becomes sure when the next run fails the same tests.
func remember(before verdict, run course.Run) (verdict, bool) {
	if !run.Built || run.TimedOut || run.Panicked || len(run.Tests) == 0 {
		return verdict{}, false
	}
	sure := true
	for _, t := range run.Tests {
		switch {
		case t.Passed() || t.Action == "skip":
		case t.Action == "fail" && strings.Contains(t.Output, "not done yet"):
		case t.Action == "fail":
			sure = false
		default:
			return verdict{}, false // It never finished.
		}
	}
	if !sure && before.Run.Built && failures(before.Run) == failures(run) {
		sure = true
	}
	return verdict{Run: run, Sure: sure}, true
}

// failures names a run's failing tests.
func failures(run course.Run) string {
	var names []string
	for _, t := range run.Tests {
		if t.Action == "fail" {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, " ")
}

// unraced lists the steps of ls that pass but have not passed under -race
// with the lesson's current files.
func (p *progress) unraced(ls lessonStatus) []int {
	if p.tc.noRace != "" {
		return nil
	}
	var steps []int
	for _, s := range ls.steps {
		var ok bool
		if s.state == done && (p.fresh || !p.mem.load(stepKey(ls.key, s.Number), &ok) || !ok) {
			steps = append(steps, s.Number)
		}
	}
	return steps
}

// checkRace runs the steps that newly pass once more under -race, since a
// data race can pass a plain run, and marks a step failing if it races.
// The verdict is remembered, so a finished step is raced once per change.
func (p *progress) checkRace(ctx context.Context, statuses []lessonStatus) {
	pending := map[int][]int{}
	all := map[int]bool{}
	var pkgs []course.Package
	for i, ls := range statuses {
		if steps := p.unraced(ls); len(steps) > 0 {
			pkg, err := course.ModulePath(ls.lesson.Dir)
			if err != nil {
				continue
			}
			pending[i] = steps
			pkgs = append(pkgs, course.Package{ImportPath: pkg, Dir: ls.lesson.Dir})
			for _, n := range steps {
				all[n] = true
			}
		}
	}
	if len(pending) == 0 {
		return
	}
	var numbers []string
	for n := range all {
		numbers = append(numbers, strconv.Itoa(n))
	}
	sort.Strings(numbers)
	// A race-enabled test uses several times the memory and CPU of a plain
	// one: fewer at once.
	shards := course.Shards{Root: p.root, Flags: []string{"-race"}, Limit: p.limit, Jobs: 2 * runtime.NumCPU(),
		Match: "^TestStep(" + strings.Join(numbers, "|") + ")_"}
	byPkg := shards.Run(ctx, pkgs)
	if ctx.Err() != nil {
		return
	}
	for i, steps := range pending {
		ls := &statuses[i]
		run := pick(byPkg, ls.lesson)
		if !run.Built {
			if strings.Contains(run.Output, "-race") {
				p.tc.noRace = firstLine(run.Output)
			}
			continue
		}
		for _, n := range steps {
			for j := range ls.steps {
				s := &ls.steps[j]
				if s.Number != n {
					continue
				}
				raced := run.StepTests(n)
				if len(raced) == 0 {
					continue
				}
				s.tests = raced
				s.settle()
				if s.state == done {
					p.mem.save(stepKey(ls.key, n), true)
				}
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// progress holds what every command needs.
type progress struct {
	root  string
	out   io.Writer
	tx    *texts
	limit time.Duration
	from  int    // the first lesson to show (1: all)
	fresh bool   // run every test again, remembered or not
	mem   memory // remembered verdicts
	color bool   // colour the checklist
	clear bool   // -watch clears the screen before each redraw

	once     sync.Once
	tc       toolchain
	setupErr error
}
