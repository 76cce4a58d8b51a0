package procfs

import (
	"os"
	"testing"
)

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

func TestThreadStateSkipsACommandNameWithSpaces(t *testing.T) {
	for stat, want := range map[string]byte{
		"4242 (my (odd) server) R 1 4242": 'R',
		"4243 (server) S 1 4242":          'S',
		"no parenthesis":                  0,
	} {
		if got := threadState(stat); got != want {
			t.Errorf("threadState(%q) = %q; want %q", stat, got, want)
		}
	}
}

func TestRunningThreadsCountsThisProcess(t *testing.T) {
	n, ok := RunningThreads(os.Getpid())
	if !ok {
		t.Skip("no /proc here (Linux only)")
	}
	// This very goroutine is running on one of the process's threads.
	if n < 1 {
		t.Fatalf("RunningThreads(own pid) = %d while this test runs; want at least 1", n)
	}
	if files, ok := OpenFiles(os.Getpid()); !ok || files < 3 {
		t.Fatalf("OpenFiles(own pid) = %d, %v; want at least 3 (standard input, output, error)", files, ok)
	}
}
