//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone reports whether no process has this pid any more (reaped, not a zombie).
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// waitGone waits until pid is gone, at most wait.
func waitGone(pid int) bool {
	deadline := time.Now().Add(wait)
	for !gone(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling the kernel; nothing to wait on
	}
	return true
}

func TestStopKillsTheServerAndWhatItStarted(t *testing.T) {
	bin := testBinary(t, "spawner")
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	t.Setenv("ECHOBENCH_TEST_CHILD_PID", pidFile)
	p, err := startServer(testContext(t), bin, 1, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the test server did not write its child's pid: %v", err)
	}
	child, _ := strconv.Atoi(string(b))
	if child <= 0 || gone(child) || gone(p.Pid) {
		t.Fatalf("server pid %d and its child pid %d should both be running", p.Pid, child)
	}
	p.Stop()
	if !gone(p.Pid) {
		t.Fatalf("server pid %d still exists after Stop", p.Pid)
	}
	// The child is not ours to reap: once killed, init reaps it.
	if !waitGone(child) {
		t.Fatalf("the server's child, pid %d, still runs %v after Stop: the process group was not killed", child, wait)
	}
}

func TestStartReportsAServerThatNeverListens(t *testing.T) {
	bin := &serverBinary{Name: "false", Path: "/bin/false"}
	if _, err := os.Stat(bin.Path); err != nil {
		t.Skip("no /bin/false")
	}
	_, err := startServer(testContext(t), bin, 1, -1)
	if err == nil || !strings.Contains(err.Error(), "listening on") {
		t.Fatalf("starting /bin/false returned %v; want an error that says no \"listening on\" line came", err)
	}
	running.Lock()
	n := len(running.procs)
	running.Unlock()
	if n != 0 {
		t.Fatalf("%d servers still registered as running after a failed start", n)
	}
}

// startHolding runs echobench (this test binary, see TestMain) holding 3
// connections to a server it started, and returns once it holds them, with
// the server's pid.
func startHolding(t *testing.T) (cmd *exec.Cmd, server int) {
	t.Helper()
	bin := testBinary(t, "lineecho")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(self, "hold", "-server", bin.Path, "-conns", "3", "-for", "50s")
	// Its temporary files (the server's log) go where the test removes them,
	// even when echobench is killed before it can.
	cmd.Env = append(os.Environ(), "ECHOBENCH_RUN_MAIN=1", "TMPDIR="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	// Read echobench's log until it holds its connections.
	started := regexp.MustCompile(`pid (\d+), listening on`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(wait)
	for holding := false; !holding; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("echobench ended before holding its connections")
			}
			if m := started.FindStringSubmatch(line); m != nil {
				server, _ = strconv.Atoi(m[1])
			}
			holding = strings.Contains(line, "holding 3 connections")
		case <-timeout:
			t.Fatalf("echobench did not say \"holding 3 connections\" within %v", wait)
		}
	}
	go func() {
		for range lines {
		}
	}()
	if server == 0 || gone(server) {
		t.Fatalf("echobench did not report a running server (pid %d)", server)
	}
	return cmd, server
}

func TestCtrlCStopsTheServerEchobenchStarted(t *testing.T) {
	cmd, server := startHolding(t)
	cmd.Process.Signal(os.Interrupt)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("after Ctrl-C echobench exited with %v; want exit status 130", err)
		}
	case <-time.After(wait):
		t.Fatalf("echobench did not exit within %v of Ctrl-C", wait)
	}
	if !gone(server) {
		syscall.Kill(server, syscall.SIGKILL)
		t.Fatalf("server pid %d still runs after echobench exited on Ctrl-C", server)
	}
}
