package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// checkSmoke runs a solution's own server and client as a learner does in
// two terminals: the server on a free loopback port, the client sending two
// messages, which must come back.
func (c *checker) checkSmoke(ctx context.Context, l course.Lesson) {
	if l.Solution == "" {
		return
	}
	name := "solution " + l.Title() + ": cmd/server and cmd/client talk"
	tmp, err := os.MkdirTemp("", "check-smoke")
	if err != nil {
		c.fail(name, "%v", err)
		return
	}
	defer os.RemoveAll(tmp)
	server, client := filepath.Join(tmp, "server"), filepath.Join(tmp, "client")
	for bin, pkg := range map[string]string{server: "./cmd/server", client: "./cmd/client"} {
		if out, err := goCmd(l.Solution, nil, "build", "-o", bin, pkg); err != nil {
			c.fail(name, "go build %s: %s", pkg, c.tail(out, 10))
			return
		}
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, server, "-addr", "127.0.0.1:0")
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = srv.Stdout
	if err := srv.Start(); err != nil {
		c.fail(name, "starting the server: %v", err)
		return
	}
	defer func() {
		srv.Process.Kill()
		srv.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
				addr <- strings.TrimSpace(a)
				break
			}
		}
		for lines.Scan() { // Keep draining, so the server never blocks on its log.
		}
	}()
	var address string
	select {
	case address = <-addr:
	case <-time.After(10 * time.Second):
		c.fail(name, "the server did not print \"listening on HOST:PORT\" within 10s")
		return
	}

	messages := []string{"hello, server", "a second message"}
	out, err := exec.CommandContext(ctx, client, append([]string{"-addr", address}, messages...)...).CombinedOutput()
	if err != nil {
		c.fail(name, "client -addr %s %q: %v\n%s", address, messages, err, out)
		return
	}
	for _, m := range messages {
		if !strings.Contains(string(out), m) {
			c.fail(name, "the client's output does not show the echo of %q:\n%s", m, out)
			return
		}
	}
	c.pass(name, fmt.Sprintf("on %s", address))
}
