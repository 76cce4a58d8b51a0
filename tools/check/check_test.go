package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShellWordsHonoursQuotes(t *testing.T) {
	require.Equal(t, []string{"go", "run", "./cmd/client", "Hello, world", "it's"},
		shellWords(`go run ./cmd/client "Hello, world" "it's"`))
	require.Equal(t, []string{"echo", "a b", "c"}, shellWords(`echo 'a b' c`))
}

func TestJoinContinuationsDropsPromptsAndComments(t *testing.T) {
	lines := []string{"$ go run ./x \\", "    -flag 1   # a comment", "# only a comment", "", "nc 127.0.0.1 12345"}
	require.Equal(t, []string{"go run ./x  -flag 1", "nc 127.0.0.1 12345"}, joinContinuations(lines))
}

func TestNamesStep(t *testing.T) {
	require.True(t, namesStep("step 2 is not done yet", 2))
	require.True(t, namesStep(`Read README.md, "Step 3"`, 3))
	require.True(t, namesStep("go test -run Step4", 4))
	require.False(t, namesStep("step 12", 1))
	require.False(t, namesStep("no step here", 1))
}

func TestCheckLinkFindsMissingFilesAndAnchors(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "docs"), 0o755))
	page := "# Title\n\n## Step 1 — Go\n\n```sh\n# not a heading\n```\n\n## Go\n\n## Go\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "docs", "a.md"), []byte(page), 0o644))
	md, err := readMarkdown(root, "docs/a.md")
	require.NoError(t, err)
	require.Equal(t, []string{"title", "step-1--go", "go", "go-1"}, md.headings)

	c := &checker{root: root}
	byPath := map[string]*markdown{"docs/a.md": md}
	require.Empty(t, c.checkLink(md, "a.md#go-1", byPath))
	require.Empty(t, c.checkLink(md, "#step-1--go", byPath))
	require.Empty(t, c.checkLink(md, "https://example.com/x", byPath))
	require.Empty(t, c.checkLink(md, "/docs/a.md#go", byPath), "a link from the root, as GitHub reads it")
	require.Contains(t, c.checkLink(md, "/a.md", byPath), "no such file")
	require.Contains(t, c.checkLink(md, "a.md#nowhere", byPath), "no heading")
	require.Contains(t, c.checkLink(md, "b.md", byPath), "no such file")
	require.Contains(t, c.checkLink(md, "../../etc/passwd", byPath), "outside the repository")
}
