package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
)

// exeSuffix is what go build adds to a program's name here.
var exeSuffix = map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

// checkSmoke runs a solution's own server and client as a learner does in
// two terminals: the server on a free loopback port, the client sending two
// messages, which must come back.
func (c *checker) checkSmoke(ctx context.Context, l course.Lesson) {
	if l.Solution == "" {
		return
	}
	name := "solution " + l.Title() + ": cmd/server and cmd/client talk"
	c.start(name)
	tmp, err := os.MkdirTemp("", "check-smoke")
	if err != nil {
		c.fail(name, "%v", err)
		return
	}
	defer os.RemoveAll(tmp)
	server, client := filepath.Join(tmp, "server"+exeSuffix), filepath.Join(tmp, "client"+exeSuffix)
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
	log := new(strings.Builder) // the server's standard error
	srv.Stderr = log
	if err := srv.Start(); err != nil {
		c.fail(name, "starting the server: %v", err)
		return
	}
	exited := make(chan struct{})
	go func() {
		srv.Wait()
		close(exited)
	}()
	defer func() {
		srv.Process.Kill()
		<-exited // Only then can its temporary folder be removed, on Windows too.
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
	case <-exited:
		if runtime.GOOS == "windows" && strings.Contains(log.String(), "needs a Unix kernel") {
			c.pass(name, "skipped on Windows: "+strings.TrimSpace(log.String()))
			return
		}
		c.fail(name, "the server exited before it listened:\n%s", log.String())
		return
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
