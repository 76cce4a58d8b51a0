package procfs

import "testing"

func TestParseStatCPUSkipsACommandNameWithSpaces(t *testing.T) {
	stat := "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 5 0 99 1000 200"
	got, ok := parseStatCPU(stat)
	if !ok || got != 2.0 {
		t.Fatalf("parseStatCPU(%q) = %v, %v; want 2 seconds (150 + 50 ticks of 10ms), true", stat, got, ok)
	}
	if _, ok := parseStatCPU("no parenthesis"); ok {
		t.Fatalf("parseStatCPU of a line with no command name reported ok")
	}
}
