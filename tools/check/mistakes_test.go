package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sampleCatalogue = `# A comment before the first entry.

== step 2: reads once instead of looping until EOF
file: server.go
want: step 2
want: Read in a loop
--- old
	for {
		n, err := conn.Read(buf)
--- new
	{
		n, err := conn.Read(buf)
--- end

# A comment between entries.
== Step 3: drops the error and closes too early
file: server.go
race: yes
want: Step 3
--- old
	return err
--- new
	return nil
--- end
--- old
	defer conn.Close()
--- new
--- end
file: cmd/server/main.go
--- old
x
--- new
y
--- end
`

func TestParseMistakesReadsEntries(t *testing.T) {
	got, err := parseMistakes(strings.NewReader(sampleCatalogue))
	require.NoError(t, err)
	require.Len(t, got, 2)

	require.Equal(t, 3, got[0].Line)
	require.Equal(t, 2, got[0].Step)
	require.Equal(t, "reads once instead of looping until EOF", got[0].Desc)
	require.Equal(t, []string{"step 2", "Read in a loop"}, got[0].Want)
	require.False(t, got[0].Race)
	require.Equal(t, []edit{{
		File: "server.go",
		Old:  "\tfor {\n\t\tn, err := conn.Read(buf)\n",
		New:  "\t{\n\t\tn, err := conn.Read(buf)\n",
	}}, got[0].Edits, "tabs are kept and the last newline belongs to the text")

	require.Equal(t, 3, got[1].Step)
	require.True(t, got[1].Race)
	require.Equal(t, []edit{
		{File: "server.go", Old: "\treturn err\n", New: "\treturn nil\n"},
		{File: "server.go", Old: "\tdefer conn.Close()\n", New: ""},
		{File: "cmd/server/main.go", Old: "x\n", New: "y\n"},
	}, got[1].Edits)
}

func TestParseMistakesRejectsBrokenEntries(t *testing.T) {
	for name, text := range map[string]string{
		"no step number":      "== step: x\nfile: a.go\nwant: w\n--- old\na\n--- new\nb\n--- end\n",
		"no description":      "== step 1:\nfile: a.go\nwant: w\n--- old\na\n--- new\nb\n--- end\n",
		"no want":             "== step 1: x\nfile: a.go\n--- old\na\n--- new\nb\n--- end\n",
		"no edit":             "== step 1: x\nfile: a.go\nwant: w\n",
		"edit before file":    "== step 1: x\nwant: w\n--- old\na\n--- new\nb\n--- end\n",
		"unclosed block":      "== step 1: x\nfile: a.go\nwant: w\n--- old\na\n--- new\nb\n",
		"end before new":      "== step 1: x\nfile: a.go\nwant: w\n--- old\na\n--- end\n",
		"edit changes none":   "== step 1: x\nfile: a.go\nwant: w\n--- old\na\n--- new\na\n--- end\n",
		"unknown line":        "== step 1: x\nfile: a.go\nwants: w\n",
		"outside an entry":    "file: a.go\n",
		"path outside":        "== step 1: x\nfile: ../a.go\n",
		"race neither yes/no": "== step 1: x\nrace: maybe\n",
	} {
		_, err := parseMistakes(strings.NewReader(text))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "line ", "%s: the error names the line", name)
	}
}

func TestApplyMistakeEditsTheCopy(t *testing.T) {
	dir := t.TempDir()
	server := "package x\n\nfunc f() {\n\tfor {\n\t\tn, err := conn.Read(buf)\n\t}\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.go"), []byte(server), 0o644))
	entries, err := parseMistakes(strings.NewReader(sampleCatalogue))
	require.NoError(t, err)

	require.NoError(t, entries[0].apply(dir))
	got, err := os.ReadFile(filepath.Join(dir, "server.go"))
	require.NoError(t, err)
	require.Equal(t, "package x\n\nfunc f() {\n\t{\n\t\tn, err := conn.Read(buf)\n\t}\n}\n", string(got))
}

func TestApplyMistakeReportsStaleEntries(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "server.go"), []byte(text), 0o644))
	}
	m := mistake{Step: 1, Desc: "d", Edits: []edit{{File: "server.go", Old: "\treturn err\n", New: "\treturn nil\n"}}}

	write("package x\n")
	err := m.apply(dir)
	require.ErrorIs(t, err, errStale)
	require.Contains(t, err.Error(), "not in server.go")

	write("package x\n\treturn err\n\treturn err\n")
	err = m.apply(dir)
	require.ErrorIs(t, err, errStale)
	require.Contains(t, err.Error(), "occurs 2 times")

	m.Edits[0].File = "gone.go"
	require.ErrorIs(t, m.apply(dir), errStale)
}

func TestJudgeRequiresAFailureWithTheWords(t *testing.T) {
	m := mistake{Step: 2, Want: []string{"step 2", "Read in a loop"}}
	require.Empty(t, stepRun{failed: true, output: "--- FAIL: TestStep2_X\n  call Read in a LOOP (README.md, Step 2)\n"}.judge(m))
	require.Contains(t, stepRun{output: "PASS\n"}.judge(m), "PASS")
	require.Contains(t, stepRun{timedOut: true}.judge(m), "still running")
	require.Contains(t, stepRun{failed: true, output: "Step 2 failed"}.judge(m), `"Read in a loop"`)
	require.Contains(t, stepRun{output: "testing: warning: no tests to run\nPASS\n"}.judge(m), "no test matches")
}

func TestCataloguesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("mistakes", "*.txt"))
	require.NoError(t, err)
	for _, path := range files {
		f, err := os.Open(path)
		require.NoError(t, err)
		entries, err := parseMistakes(f)
		f.Close()
		require.NoError(t, err, path)
		require.NotEmpty(t, entries, path)
	}
}
