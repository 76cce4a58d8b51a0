package hostile

import (
	"strings"
	"testing"
)

func TestWithNoFileLowersTheChildsLimit(t *testing.T) {
	cmd, err := withNoFile(64, "/bin/sh", []string{"-c", "ulimit -n; ulimit -Hn"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if got := strings.Fields(string(out)); err != nil || len(got) != 2 || got[0] != "64" || got[1] != "64" {
		t.Fatalf("sh under withNoFile(64) says its soft and hard limits are %q (%v); want 64 and 64", out, err)
	}
}
