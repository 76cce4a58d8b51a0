//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

// The command-line contract, tested on the real program: the test binary
// runs itself as the client (see TestMain).

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain runs main instead of the tests when the test binary is started
// by TestRefusesWhatItCannotSend.
func TestMain(m *testing.M) {
	if os.Getenv("LESSON4_BE_THE_CLIENT") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRefusesWhatItCannotSend(t *testing.T) {
	// Nothing is refused by connecting: no connection may be made at all.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, args := range [][]string{
		{"-conns", "0", "hello"}, {"-conns", "-1", "hello"}, {"-max-line", "0", "hello"},
		{"-timeout", "0s", "hello"}, {"one\ntwo"}, {"-max-line", "3", "hello"},
	} {
		var stderr bytes.Buffer
		cmd := exec.Command(os.Args[0], append([]string{"-addr", ln.Addr().String()}, args...)...)
		cmd.Env = append(os.Environ(), "LESSON4_BE_THE_CLIENT=1")
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("client %q: %v, want exit status 2 (stderr: %q)", args, err, stderr.String())
		}
		if strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "client: ") {
			t.Errorf("client %q: want one line on stderr, got %q", args, stderr.String())
		}
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
	if conn, err := ln.Accept(); err == nil {
		conn.Close()
		t.Errorf("a client that refused its arguments connected anyway")
	}
}
