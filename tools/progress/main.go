// Command progress is the learner's companion: it runs each lesson's tests
// and shows where you are, what to do next, and a hint for it.
//
//	go run ./tools/progress                  the checklist of every lesson and step
//	go run ./tools/progress -watch           the same, again whenever you save a file
//	go run ./tools/progress -from 3          begin at lesson 3 (remembered; -from 1 shows every lesson)
//	go run ./tools/progress -lang es         en español (the default when LANG starts with es)
//	go run ./tools/progress hint [L.]N       the hint of step N (of lesson L; default: the current lesson)
//	go run ./tools/progress reset LESSON     restore a lesson's starter files (asks first)
//
// Run it from anywhere inside the repository. Flags may come before or
// after the command: `reset 1 -yes` is `-yes reset 1`.
//
// A lesson's verdict is remembered in the user cache folder for as long as
// its files do not change (see memory.go), so a run that changes nothing
// builds nothing; -fresh runs every test again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

const usage = `usage:
  go run ./tools/progress [-watch] [-from N] show every lesson's steps and what to do next
  go run ./tools/progress hint [LESSON.]STEP show one step's hint (hint 3, hint 2.3)
  go run ./tools/progress reset LESSON       restore a lesson's starter files (reset 1, reset lesson01-blocking)

Flags may come before or after the command.

flags:
`

// options are the command line's flags.
type options struct {
	watch  bool
	every  time.Duration
	limit  time.Duration
	from   int
	lang   string
	fresh  bool
	commit string
	yes    bool
}

// commandFlags lists the flags each command takes; any other is refused.
var commandFlags = map[string][]string{
	"":      {"watch", "every", "limit", "from", "lang", "fresh"},
	"hint":  {"limit", "from", "lang", "fresh"},
	"reset": {"commit", "yes"},
}

func main() {
	var o options
	fs := flag.NewFlagSet("progress", flag.ContinueOnError)
	fs.BoolVar(&o.watch, "watch", false, "keep running: show the current lesson again whenever you save a file in it (Ctrl-C to stop)")
	fs.DurationVar(&o.every, "every", 50*time.Millisecond, "with -watch: how often to look for changed files")
	fs.DurationVar(&o.limit, "limit", 60*time.Second, "the longest one test may run; a test still running then is reported as hanging")
	fs.IntVar(&o.from, "from", 0, "begin at lesson `N`: lessons before it are not run or shown; remembered for this copy of the course (-from 1 shows every lesson again)")
	fs.StringVar(&o.lang, "lang", "", "`language` of the headings, step titles and hints: en or es (default: es when LC_ALL, LC_MESSAGES or LANG starts with es, else en)")
	fs.BoolVar(&o.fresh, "fresh", false, "run every lesson's tests again, even those whose verdict is remembered for unchanged files")
	fs.StringVar(&o.commit, "commit", "", "with reset: the git `commit` to restore the starter from (default: origin/HEAD if it exists, else HEAD)")
	fs.BoolVar(&o.yes, "yes", false, "with reset: do not ask before restoring")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	args, err := parseAnywhere(fs, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err == nil {
		err = checkFlags(fs, args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, args, fs); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, args []string, fs *flag.FlagSet) error {
	root, err := course.FindRoot(".")
	if err != nil {
		return err
	}
	tx, err := language(o.lang)
	if err != nil {
		return err
	}
	onTerminal := term.IsTerminal(int(os.Stdout.Fd()))
	p := &progress{
		root:  root,
		out:   os.Stdout,
		tx:    tx,
		limit: o.limit,
		fresh: o.fresh,
		color: onTerminal && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
		clear: onTerminal && os.Getenv("TERM") != "dumb",
	}
	if dir, err := os.UserCacheDir(); err == nil {
		p.mem = memory{dir: filepath.Join(dir, "sockets-in-go", "progress")}
	}
	var remembered starts
	if dir, err := os.UserConfigDir(); err == nil {
		remembered.file = filepath.Join(dir, "sockets-in-go", "progress-start.json")
	}
	p.from = remembered.get(root)
	if isSet(fs, "from") {
		p.from = max(o.from, 1)
		if _, err := p.lessons(); err != nil {
			return err
		}
		if err := remembered.set(root, p.from); err != nil {
			return fmt.Errorf("remembering -from %d: %v", o.from, err)
		}
	}

	command, rest := "", []string(nil)
	if len(args) > 0 {
		command, rest = args[0], args[1:]
	}
	switch {
	case command == "" && o.watch:
		return p.watch(ctx, o.every)
	case command == "":
		return p.overview(ctx)
	case command == "hint" && len(rest) <= 1:
		return p.hint(ctx, strings.Join(rest, ""))
	case command == "reset" && len(rest) <= 1:
		return p.reset(strings.Join(rest, ""), o.commit, o.yes, os.Stdin)
	case command == "hint" || command == "reset":
		return fmt.Errorf("%s takes one argument, not %q; see go run ./tools/progress -h", command, strings.Join(rest, " "))
	}
	return fmt.Errorf("unknown command %q; see go run ./tools/progress -h", command)
}

// parseAnywhere parses flags wherever they stand among the arguments, so
// that `reset 1 -yes` means what it says, and returns the other arguments.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(nil)
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(os.Stdout)
				fs.Usage()
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

// checkFlags refuses a flag that the command does not use, rather than
// ignoring it.
func checkFlags(fs *flag.FlagSet, args []string) error {
	command := ""
	if len(args) > 0 {
		command = args[0]
	}
	allowed, known := commandFlags[command]
	if !known {
		return nil // run reports the unknown command.
	}
	var wrong []string
	fs.Visit(func(f *flag.Flag) {
		for _, name := range allowed {
			if f.Name == name {
				return
			}
		}
		wrong = append(wrong, "-"+f.Name)
	})
	if len(wrong) == 0 {
		return nil
	}
	sort.Strings(wrong)
	what := "the checklist"
	if command != "" {
		what = command
	}
	return fmt.Errorf("%s does not take %s (it takes -%s); see go run ./tools/progress -h",
		what, strings.Join(wrong, ", "), strings.Join(allowed, ", -"))
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
