package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// memory remembers test verdicts by what they depend on, as go test's own
// cache does for passing packages, so that an unchanged lesson costs no
// build at all on the next run. go test never caches a failing run, and a
// starter fails every step, so without this memory each run would build and
// link every unfinished lesson again (about a second each on two cores).
//
// It remembers only verdicts that a re-run would repeat: every test passed,
// or failed with "not done yet". A real failure, a hang or a panic is run
// again each time, so a failure caused by a busy machine never sticks.
// It also remembers how long each test of a lesson took (see timesKey).
type memory struct {
	dir string // "" remembers nothing
}

// keep at most this many verdicts; the oldest go first.
const memoryLimit = 400

func (m memory) load(key string, v any) bool {
	if m.dir == "" {
		return false
	}
	data, err := os.ReadFile(filepath.Join(m.dir, key+".json"))
	return err == nil && json.Unmarshal(data, v) == nil
}

func (m memory) save(key string, v any) {
	if m.dir == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil || os.MkdirAll(m.dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(m.dir, "new-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(data)
	if tmp.Close() != nil || err != nil || os.Rename(tmp.Name(), filepath.Join(m.dir, key+".json")) != nil {
		os.Remove(tmp.Name())
		return
	}
	m.trim()
}

// trim removes the oldest verdicts beyond memoryLimit.
func (m memory) trim() {
	entries, err := os.ReadDir(m.dir)
	if err != nil || len(entries) <= memoryLimit {
		return
	}
	type aged struct {
		name string
		mod  time.Time
	}
	var all []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			all = append(all, aged{e.Name(), info.ModTime()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
	for _, a := range all[:len(all)-memoryLimit] {
		os.Remove(filepath.Join(m.dir, a.name))
	}
}

// inputs hashes what a lesson's test verdict depends on: the Go toolchain and
// its settings (env, the output of go env), every go.mod, go.sum and go.work
// of the workspace (they pick the dependencies' versions), and the lesson's
// own Go files, go.mod, go.sum and testdata.
func inputs(env string, workspace []string, lessonDir string) string {
	h := sha256.New()
	fmt.Fprintf(h, "progress verdict v1\n%s\n", env)
	for _, f := range workspace {
		hashFile(h, f, f)
	}
	var files []string
	filepath.WalkDir(lessonDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path != lessonDir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if isSource(path, lessonDir) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(lessonDir, f)
		hashFile(h, filepath.ToSlash(rel), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isSource reports whether a file can change a lesson's test verdict: Go
// files, go.mod and go.sum, and anything under testdata.
func isSource(path, lessonDir string) bool {
	name := filepath.Base(path)
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return false // Editors' backups and swap files.
	}
	if strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" {
		return true
	}
	rel, _ := filepath.Rel(lessonDir, path)
	return strings.Contains("/"+filepath.ToSlash(rel), "/testdata/")
}

func hashFile(h hash.Hash, name, path string) {
	fmt.Fprintf(h, "%s\n", name)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(h, "missing\n")
		return
	}
	defer f.Close()
	n, _ := io.Copy(h, f)
	fmt.Fprintf(h, "\n%d\n", n)
}

// stepKey is the key of one step's -race verdict for a lesson's inputs.
func stepKey(lessonKey string, step int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s race step %d", lessonKey, step)))
	return hex.EncodeToString(sum[:])
}

// timesKey names what is remembered of how long each test of a lesson took
// last time: it depends on the lesson only, not on its files, since a test
// that was slow stays slow from one edit to the next.
func timesKey(lessonDir string) string {
	sum := sha256.Sum256([]byte("test times\x00" + lessonDir))
	return "times-" + hex.EncodeToString(sum[:])
}
