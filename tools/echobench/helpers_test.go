package main

// Helpers shared by the tests: small echo servers run inside the test
// process, the test servers under testdata/ built once, and a way to run
// echobench's main in a child process.

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// wait bounds every wait in these tests.
const wait = 5 * time.Second

// TestMain lets a test run echobench itself as a child process (to send it
// Ctrl-C): with ECHOBENCH_RUN_MAIN=1 the test binary is echobench.
func TestMain(m *testing.M) {
	if os.Getenv("ECHOBENCH_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// testServer is an echo server inside the test process.
type testServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startTestServer serves each connection with handle, in its own goroutine
// when concurrent, else one after another like lesson 1. Everything is
// closed when the test ends.
func startTestServer(t *testing.T, concurrent bool, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("test setup: listen on 127.0.0.1:0: %v", err)
	}
	s := &testServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			serve := func() { defer c.Close(); handle(c) }
			if concurrent {
				s.wg.Add(1)
				go func() { defer s.wg.Done(); serve() }()
			} else {
				serve()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return ln.Addr().String()
}

// lineEcho echoes each complete line, like lessons 2 to 4.
func lineEcho(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// rawEcho echoes every byte, like lesson 1.
func rawEcho(c net.Conn) { io.Copy(c, c) }

var (
	buildMu  sync.Mutex
	builtDir string
	built    = map[string]*serverBinary{}
)

// testBinary builds testdata/NAME/cmd/server once per test binary.
func testBinary(t *testing.T, name string) *serverBinary {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if b, ok := built[name]; ok {
		return b
	}
	if builtDir == "" {
		dir, err := os.MkdirTemp("", "echobench-test")
		if err != nil {
			t.Fatalf("test setup: %v", err)
		}
		builtDir = dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := buildServer(ctx, filepath.Join("testdata", name), builtDir)
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	built[name] = b
	return b
}

// testContext is cancelled when the test ends or after a minute at most.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func testContextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx, cancel
}
