package course

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSlugMatchesGitHubAnchors(t *testing.T) {
	require.Equal(t, "step-1--listen-and-report-the-address", Slug("Step 1 — Listen and report the address"))
	require.Equal(t, "run-it", Slug("Run it"))
	require.Equal(t, "why-read-is-short-and-write-is-not", Slug("Why `Read` is short and Write is not"))
	require.Equal(t, "pythons-selectors-in-go", Slug("Python’s selectors in Go"))
}

func TestReadStepsFindsTitlesAndHints(t *testing.T) {
	dir := t.TempDir()
	readme := "# Lesson\n\n## The steps\n\n### Step 1 — Listen\n\nText.\n\n**Hint:** first line\nsecond line.\n\nMore text.\n\n### Step 2 — Echo\n\n**Hint:** only.\n\n## Run it\n\n**Hint:** not a step's.\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644))
	steps, err := ReadSteps(dir)
	require.NoError(t, err)
	require.Equal(t, []Step{
		{Number: 1, Title: "Listen", Hint: "first line second line.", Anchor: "step-1--listen"},
		{Number: 2, Title: "Echo", Hint: "only.", Anchor: "step-2--echo"},
	}, steps)
}

func TestParseTestJSONTellsPassFailHangAndPanic(t *testing.T) {
	out := `{"Action":"run","Test":"TestStep1_A"}
{"Action":"output","Test":"TestStep1_A","Output":"    a_test.go:9: step 1 is not done yet\n"}
{"Action":"fail","Test":"TestStep1_A"}
{"Action":"run","Test":"TestStep2_B"}
{"Action":"run","Test":"TestStep2_B/sub"}
{"Action":"pass","Test":"TestStep2_B/sub"}
{"Action":"pass","Test":"TestStep2_B"}
{"Action":"run","Test":"TestStep3_C"}
{"Action":"output","Test":"TestStep3_C","Output":"panic: test timed out after 1s\n"}
{"Action":"fail","Package":"p","Elapsed":1.5}
`
	run := parseTestJSON([]byte(out))
	require.True(t, run.Built)
	require.Equal(t, 1500*time.Millisecond, run.TestTime)
	require.True(t, run.TimedOut)
	require.False(t, run.Panicked, "a timeout is reported as a hang, not as a panic")
	require.Equal(t, []int{1, 2, 3}, run.Steps())
	require.Equal(t, "fail", run.Tests[0].Action)
	require.Contains(t, run.Tests[0].Output, "not done yet")
	require.Equal(t, "pass", run.Tests[1].Action)
	require.Equal(t, "", run.Tests[2].Action, "a test that never finished has no action")

	run = parseTestJSON([]byte(`{"Action":"output","Test":"TestStep1_A","Output":"panic: runtime error: index out of range\n"}`))
	require.True(t, run.Panicked)
}

func TestStepOf(t *testing.T) {
	require.Equal(t, 12, StepOf("TestStep12_Thing"))
	require.Equal(t, 0, StepOf("TestHelper"))
	require.Equal(t, 0, StepOf("TestStepless_Thing"))
}

func TestReadEditionStepsReadsTheSpanishTwin(t *testing.T) {
	dir := t.TempDir()
	readme := "# Lección\n\n### Paso 1 — Escuchar en la dirección\n\n**Pista:** primera línea\nsegunda.\n\n### Step 2 — Not Spanish\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.es.md"), []byte(readme), 0o644))
	steps, err := ReadEditionSteps(dir, Spanish)
	require.NoError(t, err)
	require.Equal(t, []Step{{Number: 1, Title: "Escuchar en la dirección", Hint: "primera línea segunda.",
		Anchor: "paso-1--escuchar-en-la-dirección"}}, steps)
}

func TestParseTestJSONPackagesSplitsRunsByPackage(t *testing.T) {
	out := `{"ImportPath":"a [a.test]","Action":"build-output","Output":"# a [a.test]\n"}
{"ImportPath":"a [a.test]","Action":"build-output","Output":"./a.go:2:12: undefined: x\n"}
{"ImportPath":"a [a.test]","Action":"build-fail"}
{"Action":"start","Package":"a"}
{"Action":"output","Package":"a","Output":"FAIL\ta [build failed]\n"}
{"Action":"fail","Package":"a","Elapsed":0,"FailedBuild":"a [a.test]"}
{"Action":"run","Package":"b","Test":"TestStep1_A"}
{"Action":"output","Package":"b","Test":"TestStep1_A","Output":"    b_test.go:9: step 1 is not done yet\n"}
{"Action":"fail","Package":"b","Test":"TestStep1_A"}
{"Action":"fail","Package":"b","Elapsed":0.5}
`
	runs := parseTestJSONPackages([]byte(out))
	require.Len(t, runs, 2)
	require.False(t, runs["a"].Built)
	require.Contains(t, runs["a"].Output, "undefined: x")
	require.True(t, runs["b"].Built)
	require.Equal(t, "fail", runs["b"].Tests[0].Action)
	require.NotContains(t, runs["b"].Output, "undefined: x")
}
