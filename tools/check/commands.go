package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// checkDocCommands reads every shell block in the docs as a reader would:
// each block from the folder the page is about (a lesson's README: that
// lesson; any other page: the repository root), following its `cd` lines.
// It checks
// that each command it can understand would work: folders and packages
// exist, flags exist in the program, -run patterns match tests.
func (c *checker) checkDocCommands(ctx context.Context, lessons []course.Lesson) {
	c.start("docs: commands")
	flagsCache := map[string]map[string]bool{}
	var problems []string
	commands := 0
	for _, md := range c.markdownFiles() {
		if strings.HasPrefix(md.rel, "solutions/") {
			continue // A solution's README is its lesson's, word for word.
		}
		base := filepath.Join(c.root, filepath.Dir(md.rel))
		if !strings.HasPrefix(md.rel, "lesson") {
			base = c.root
		}
		for _, b := range md.blocks {
			if !isShell(b.lang) {
				continue
			}
			cwd := base // Every block starts afresh from the page's folder.
			for _, line := range joinContinuations(b.lines) {
				for _, command := range strings.Split(line, "&&") {
					args := shellWords(command)
					if len(args) == 0 {
						continue
					}
					commands++
					if problem := c.checkCommand(ctx, &cwd, args, flagsCache); problem != "" {
						problems = append(problems, fmt.Sprintf("%s: `%s`: %s", md.rel, strings.TrimSpace(command), problem))
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		c.fail("docs: commands", "%s", strings.Join(dedupe(problems), "\n"))
		return
	}
	c.pass("docs: commands", fmt.Sprintf("%d commands in shell blocks", commands))
}

func isShell(lang string) bool {
	switch strings.Fields(lang + " x")[0] {
	case "sh", "bash", "shell", "console", "zsh":
		return true
	}
	return false
}

// joinContinuations drops prompts and comments and joins lines ending in \.
func joinContinuations(lines []string) []string {
	var out []string
	pending := ""
	for _, line := range lines {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "$ ")
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if i := strings.Index(line, " # "); i >= 0 && !strings.ContainsAny(line[:i], `"'`) {
			line = strings.TrimSpace(line[:i])
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		out = append(out, pending+line)
		pending = ""
	}
	return out
}

// shellWords splits a command into words, honouring simple quotes.
func shellWords(s string) []string {
	var words []string
	var word strings.Builder
	quote, inWord := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// checkCommand checks one command and returns what is wrong with it, or "".
func (c *checker) checkCommand(ctx context.Context, cwd *string, args []string, flagsCache map[string]map[string]bool) string {
	for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "-") {
		args = args[1:] // Environment assignments such as GOOS=darwin.
	}
	if len(args) == 0 {
		return ""
	}
	switch {
	case args[0] == "cd" && len(args) == 2:
		dir := filepath.Join(*cwd, args[1])
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Sprintf("no folder %s here (in %s)", args[1], c.relPath(*cwd))
		}
		*cwd = dir
	case args[0] == "diff":
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "-") {
				if _, err := os.Stat(filepath.Join(*cwd, a)); err != nil {
					return fmt.Sprintf("no file or folder %s (in %s)", a, c.relPath(*cwd))
				}
			}
		}
	case args[0] == "go" && len(args) > 2 && args[1] == "run":
		return c.checkGoRun(ctx, *cwd, args[2:], flagsCache)
	case args[0] == "go" && len(args) > 1 && args[1] == "test":
		return c.checkGoTest(*cwd, args[2:])
	}
	return ""
}

// checkGoRun checks that the package exists and knows the flags given.
func (c *checker) checkGoRun(ctx context.Context, cwd string, args []string, flagsCache map[string]map[string]bool) string {
	pkg := args[0]
	for strings.HasPrefix(pkg, "-") && len(args) > 1 { // go run -race ./cmd/server
		args = args[1:]
		pkg = args[0]
	}
	dir := filepath.Join(cwd, pkg)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Sprintf("no package %s (in %s)", pkg, c.relPath(cwd))
	}
	rest := args[1:]
	sub := ""
	if len(rest) > 0 && regexp.MustCompile(`^[a-z]+$`).MatchString(rest[0]) && hasSubcommands(dir) {
		sub, rest = rest[0], rest[1:]
	}
	key := dir + " " + sub
	known, ok := flagsCache[key]
	if !ok {
		var err error
		known, err = programFlags(ctx, dir, sub)
		if err != nil {
			return err.Error()
		}
		flagsCache[key] = known
	}
	for _, a := range rest {
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !known[name] && name != "h" && name != "help" {
			return fmt.Sprintf("%s has no flag -%s", pkg, name)
		}
	}
	return ""
}

// hasSubcommands guesses whether a command takes a subcommand first, as
// `echobench compare` does: its source switches on flag.Arg(0) or os.Args[1].
func hasSubcommands(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), "os.Args[1]") || strings.Contains(string(data), "flag.Arg(0)") {
			return true
		}
	}
	return false
}

var flagLine = regexp.MustCompile(`(?m)^\s+-([\w.-]+)`)

// programFlags builds the program in dir and reads the flags its -h lists.
func programFlags(ctx context.Context, dir, sub string) (map[string]bool, error) {
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("check-flags-%d%s", os.Getpid(), exeSuffix))
	defer os.Remove(bin)
	if out, err := goCmdContext(ctx, dir, "build", "-o", bin, "."); err != nil {
		return nil, fmt.Errorf("does not build: %s", out)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := []string{"-h"}
	if sub != "" {
		args = []string{sub, "-h"}
	}
	out, _ := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	known := map[string]bool{}
	for _, m := range flagLine.FindAllStringSubmatch(string(out), -1) {
		known[m[1]] = true
	}
	return known, nil
}

// checkGoTest checks that a -run pattern matches a test of the package in cwd.
func (c *checker) checkGoTest(cwd string, args []string) string {
	for i, a := range args {
		pattern, ok := strings.CutPrefix(a, "-run=")
		if !ok && a == "-run" && i+1 < len(args) {
			pattern, ok = args[i+1], true
		}
		if !ok {
			continue
		}
		if pattern == "^$" || pattern == "none" {
			return "" // Run no test, on purpose: with -fuzz or -bench.
		}
		re, err := regexp.Compile(strings.Split(pattern, "/")[0])
		if err != nil {
			return fmt.Sprintf("-run %q is not a valid pattern: %v", pattern, err)
		}
		names := allTests(cwd)
		if len(names) == 0 {
			return ""
		}
		for _, n := range names {
			if re.MatchString(n) {
				return ""
			}
		}
		return fmt.Sprintf("-run %q matches no test in %s", pattern, c.relPath(cwd))
	}
	return ""
}

var anyTestFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz|Example)\w*)\(`)

// allTests lists the test, benchmark and fuzz functions of the package in dir.
func allTests(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	var names []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, m := range anyTestFunc.FindAllStringSubmatch(string(data), -1) {
			names = append(names, m[1])
		}
	}
	return names
}

func (c *checker) relPath(dir string) string {
	rel, err := filepath.Rel(c.root, dir)
	if err != nil || rel == "." {
		return "the repository root"
	}
	return filepath.ToSlash(rel)
}
