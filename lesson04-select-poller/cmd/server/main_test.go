//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

// The command-line contract, tested on the real program: the test binary
// runs itself as the server (see TestMain).

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const wait = 5 * time.Second

// TestMain runs main instead of the tests when the test binary is started
// by server below.
func TestMain(m *testing.M) {
	if os.Getenv("LESSON4_BE_THE_SERVER") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverCmd is the server with args, not yet started.
func serverCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LESSON4_BE_THE_SERVER=1")
	return cmd
}

// exitCode waits up to d for cmd and returns its exit status.
func exitCode(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("waiting for the server: %v", err)
		}
		return 0
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the server had not exited %s later", d)
		return -1
	}
}

func TestRefusesFlagsOutOfRange(t *testing.T) {
	for _, args := range [][]string{
		{"-max-line", "0"}, {"-max-line", "-5"}, {"-max-conns", "-1"},
		{"-idle-timeout", "-1s"}, {"-grace", "-1s"},
	} {
		var stderr bytes.Buffer
		cmd := serverCmd(append([]string{"-addr", "127.0.0.1:0"}, args...)...)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := exitCode(t, cmd, wait); code != 2 {
			t.Errorf("server %s: exit status %d, want 2 (stderr: %q)", strings.Join(args, " "), code, stderr.String())
		}
		if lines := strings.Count(stderr.String(), "\n"); lines != 1 || !strings.HasPrefix(stderr.String(), "server: "+args[0]) {
			t.Errorf("server %s: want one line naming the flag on stderr, got %q", strings.Join(args, " "), stderr.String())
		}
	}
}

// running is a started server and the lines of its stdout.
type running struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
}

func startServer(t *testing.T, args ...string) (*running, string) {
	t.Helper()
	r := &running{cmd: serverCmd(append([]string{"-addr", "127.0.0.1:0"}, args...)...), lines: make(chan string, 100), stderr: new(bytes.Buffer)}
	r.cmd.Stderr = r.stderr
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill() })
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	addr, ok := strings.CutPrefix(r.expect(t, "listening on "), "listening on ")
	if !ok {
		t.Fatal("no listening line")
	}
	return r, addr
}

// expect waits for a line of stdout that starts with prefix.
func (r *running) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("the server's stdout ended before a line starting %q (stderr: %q)", prefix, r.stderr.String())
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		case <-timeout:
			t.Fatalf("no line starting %q on the server's stdout within %s", prefix, wait)
		}
	}
}

// midLine connects and sends the start of a line, so that a graceful stop
// has a line in flight to wait for.
func midLine(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(conn, "hello\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(conn, make([]byte, 6)); err != nil {
		t.Fatalf("no echo of hello: %v", err)
	}
	io.WriteString(conn, "half a line")
	return conn
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	r, addr := startServer(t, "-grace", "1m")
	midLine(t, addr)
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.expect(t, "shutting down")
	began := time.Now()
	r.cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, r.cmd, wait); code != 1 {
		t.Fatalf("after a second SIGTERM the server exited with status %d, want 1 (stderr: %q)", code, r.stderr.String())
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("the second SIGTERM took %s to end the server; it should exit at once", took)
	}
	if strings.Count(r.stderr.String(), "\n") != 1 {
		t.Errorf("want one line on stderr, got %q", r.stderr.String())
	}
}

func TestNoGracePeriodStopsAtOnce(t *testing.T) {
	r, addr := startServer(t, "-grace", "0")
	conn := midLine(t, addr)
	r.cmd.Process.Signal(syscall.SIGTERM)
	line := r.expect(t, "shutting down")
	if !strings.Contains(line, "now") {
		t.Errorf("with -grace 0 the shutdown line should say every connection closes now; got %q", line)
	}
	r.expect(t, "stopped")
	if code := exitCode(t, r.cmd, wait); code != 0 {
		t.Fatalf("exit status %d, want 0 (stderr: %q)", code, r.stderr.String())
	}
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("the client in the middle of a line should see the server close: %v", err)
	}
}
