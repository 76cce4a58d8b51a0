package hostile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// binaries are one folder's built programs and the flags its server takes.
type binaries struct {
	Server string // path of the built cmd/server
	Client string // path of the built cmd/client, "" if the folder has none
	help   string // the server's -h output
}

// exeSuffix is what go build adds to a program's name here.
var exeSuffix = map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

// build compiles dir/cmd/server (and dir/cmd/client if there is one) into
// out, and reads the server's -h, which says which cases apply.
func build(ctx context.Context, dir, out string) (*binaries, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	b := &binaries{}
	for _, prog := range []string{"server", "client"} {
		pkg := filepath.Join(dir, "cmd", prog)
		if _, err := os.Stat(pkg); err != nil {
			if prog == "server" {
				return nil, fmt.Errorf("%s has no cmd/server", dir)
			}
			continue
		}
		path, err := filepath.Abs(filepath.Join(out, prog+exeSuffix))
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "./cmd/"+prog)
		cmd.Dir = dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/%s in %s: %v\n%s", prog, dir, err, bytes.TrimSpace(msg))
		}
		if prog == "server" {
			b.Server = path
		} else {
			b.Client = path
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	help, _ := exec.CommandContext(ctx, b.Server, "-h").CombinedOutput()
	b.help = string(help)
	return b, nil
}

// offers reports whether the server's contract (its flags, its client)
// has everything needs asks for; the platform is not part of it.
func (b *binaries) offers(needs []Need) bool {
	for _, n := range needs {
		if n != Linux && b.lacks([]Need{n}) != "" {
			return false
		}
	}
	return true
}

// lacks returns why the server does not meet needs, or "" if it does.
func (b *binaries) lacks(needs []Need) string {
	for _, n := range needs {
		switch n {
		case Linux:
			if runtime.GOOS != "linux" {
				return "needs Linux (/proc, resource limits); this is " + runtime.GOOS
			}
		case Client:
			if b.Client == "" {
				return "no cmd/client"
			}
		default:
			if !strings.Contains(b.help, string(n)) {
				return fmt.Sprintf("the server takes no %s", n)
			}
		}
	}
	return ""
}

// T is what a case works with: the programs under test, the servers it
// started (killed at the end), notes for the report.
type T struct {
	bin *binaries

	mu      sync.Mutex
	servers []*Server
	noted   []string
	step    string
}

// Note records a figure worth reporting when the case passes.
func (t *T) Note(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.noted = append(t.noted, fmt.Sprintf(format, args...))
}

// Step says what the case is doing now, for the report if it runs out of time.
func (t *T) Step(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.step = fmt.Sprintf(format, args...)
}

func (t *T) notes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.noted...)
}

func (t *T) lastStep() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.step == "" {
		return "starting"
	}
	return t.step
}

// ClientPath is the built cmd/client.
func (t *T) ClientPath() string { return t.bin.Client }

// Start runs the server with args after -addr 127.0.0.1:0 and waits for its
// "listening on" line. Its standard output is read on, so that its log
// never blocks it, unless opts say otherwise.
func (t *T) Start(ctx context.Context, opts Options, args ...string) (*Server, error) {
	t.Step("starting the server with %q", args)
	s, err := start(ctx, t.bin.Server, opts, append([]string{"-addr", "127.0.0.1:0"}, args...))
	if s != nil {
		t.mu.Lock()
		t.servers = append(t.servers, s)
		t.mu.Unlock()
	}
	return s, err
}

// cleanup kills every server the case started, with its process group.
func (t *T) cleanup() {
	t.mu.Lock()
	servers := t.servers
	t.mu.Unlock()
	for _, s := range servers {
		s.Kill()
	}
}

// Has reports whether the server's contract includes n.
func (t *T) Has(n Need) bool { return t.bin.lacks([]Need{n}) == "" }
