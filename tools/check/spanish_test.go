package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// spanishFixture copies testdata/spanish, a tiny course with one lesson
// README and one chapter in both languages, into a temporary folder, with
// README.es.md replaced by the testdata file named spanish (if not "").
func spanishFixture(t *testing.T, spanish string) string {
	t.Helper()
	root := t.TempDir()
	for _, rel := range []string{"README.md", "README.es.md", "docs/chapter.md", "docs/es/chapter.md"} {
		data, err := os.ReadFile(filepath.Join("testdata", "spanish", rel))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), data, 0o644))
	}
	if spanish != "" {
		data, err := os.ReadFile(filepath.Join("testdata", "spanish", spanish))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, "README.es.md"), data, 0o644))
	}
	return root
}

func spanishProblemsIn(root string) []string {
	_, _, problems := (&checker{root: root}).spanishProblems()
	return problems
}

func TestSpanishTwinPaths(t *testing.T) {
	require.Equal(t, "README.es.md", spanishTwin("README.md"))
	require.Equal(t, "lesson01-blocking/README.es.md", spanishTwin("lesson01-blocking/README.md"))
	require.Equal(t, "solutions/lesson01-blocking/README.es.md", spanishTwin("solutions/lesson01-blocking/README.md"))
	require.Equal(t, "docs/es/concepts.md", spanishTwin("docs/concepts.md"))
	require.Equal(t, "docs/es/README.md", spanishTwin("docs/README.md"))
}

func TestSpanishEditionInStepPasses(t *testing.T) {
	root := spanishFixture(t, "")
	inStep, pages, problems := (&checker{root: root}).spanishProblems()
	require.Empty(t, problems)
	require.Equal(t, 2, pages)
	require.Equal(t, 2, inStep)
}

func TestSpanishEditionFailsWhenTheSpanishLacksSomething(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		want    []string // each must appear in one problem, which names README.es.md
	}{
		{"broken-no-step.es.md", []string{"has step sections Paso 1, the English README.md has Step 1, 2"}},
		{"broken-no-hint.es.md", []string{"Paso 2 has 0 **Pista:** paragraph(s), the English README.md has 1 **Hint:**"}},
		{"broken-no-command.es.md", []string{"has 3 code blocks, the English README.md has 4", "lacks shell block 2 of the English README.md (under \"Run it\"): `go vet ./...`"}},
		{"broken-changed-command.es.md", []string{"shell block 2 (under \"Ejecútalo\") must hold the commands of the English README.md (under \"Run it\"): `go vet ./...`, not `go vet ./tools/...`"}},
		{"broken-no-diagram.es.md", []string{"has 0 Mermaid diagrams, the English README.md has 1", "has 3 code blocks"}},
		{"broken-no-link.es.md", []string{"links to no docs/es/chapter.md, the twin of docs/chapter.md"}},
		{"broken-no-switch.es.md", []string{`must start with the language switch line "[English](README.md) · Español"`}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			problems := spanishProblemsIn(spanishFixture(t, tc.fixture))
			require.NotEmpty(t, problems, "the check passed a Spanish page that lacks something")
			for _, want := range tc.want {
				require.True(t, containsLine(problems, "README.es.md: ", want), "no problem says %q; got:\n%s", want, strings.Join(problems, "\n"))
			}
		})
	}
}

func TestSpanishEditionFailsOnABrokenAnchorOrAMissingTwin(t *testing.T) {
	root := spanishFixture(t, "")
	page := filepath.Join(root, "README.es.md")
	data, err := os.ReadFile(page)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(page, []byte(strings.Replace(string(data), "#la-primera-parte", "#the-first-part", 1)), 0o644))
	require.True(t, containsLine(spanishProblemsIn(root), "README.es.md: ", "the link docs/es/chapter.md#the-first-part points at no heading of docs/es/chapter.md"))

	root = spanishFixture(t, "")
	require.NoError(t, os.Remove(filepath.Join(root, "docs", "es", "chapter.md")))
	require.Contains(t, spanishProblemsIn(root), "docs/es/chapter.md: missing: write the Spanish twin of docs/chapter.md")
}

func TestSpanishEditionWantsTheSwitchOnTheEnglishPageToo(t *testing.T) {
	root := spanishFixture(t, "")
	page := filepath.Join(root, "docs", "chapter.md")
	data, err := os.ReadFile(page)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(page, []byte(strings.TrimPrefix(string(data), "English · [Español](es/chapter.md)\n\n")), 0o644))
	require.True(t, containsLine(spanishProblemsIn(root), "docs/es/chapter.md: ", `docs/chapter.md must start with the language switch line "English · [Español](es/chapter.md)"`))
}

func TestMirrorTreatsEveryREADMEAsShared(t *testing.T) {
	require.True(t, isReadme("README.md"))
	require.True(t, isReadme("README.es.md"))
	require.False(t, isReadme("cmd/server/main.go"))
}

func containsLine(lines []string, prefix, want string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, want) {
			return true
		}
	}
	return false
}

func TestDropCommentKeepsQuotedHashes(t *testing.T) {
	require.Equal(t, `lsof -p "$(lsof -t -iTCP:12345)"`, dropComment(`lsof -p "$(lsof -t -iTCP:12345)"   # every open file`))
	require.Equal(t, `echo "a # b"`, dropComment(`echo "a # b"`))
	require.Equal(t, `go run ./cmd/server -addr '[::1]:12345'`, dropComment(`go run ./cmd/server -addr '[::1]:12345'   # IPv6 only`))
	require.Equal(t, `go test`, dropComment(`go test`))
}

func TestStepsAndHintsReadChapterAndREADMESections(t *testing.T) {
	root := t.TempDir()
	page := "# Chapter\n\n## Step 1 — Listen\n\n**Hint:** one.\n\n### Step 2 — Echo\n\n**Hint:** two.\n\n## Run it\n\n**Hint:** not a step's.\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "a.md"), []byte(page), 0o644))
	md, err := readMarkdown(root, "a.md")
	require.NoError(t, err)
	steps, hints := stepsAndHints(md, englishStep, "**Hint:**")
	require.Equal(t, []string{"1", "2"}, steps)
	require.Equal(t, map[string]int{"step 1": 1, "step 2": 1, "outside the steps": 1}, hints)
}
