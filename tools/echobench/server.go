package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// startTimeout bounds how long a server may take to print its
// "listening on" line.
const startTimeout = 10 * time.Second

// serverBinary is a built cmd/server: where it came from and which of the
// course's optional flags it understands.
type serverBinary struct {
	Name string // e.g. "lesson03-goroutines"
	Dir  string // the lesson or solution folder
	Path string // the executable
	// maxConns is set when the server takes -max-conns (lessons 3 and 4):
	// echobench raises the limit to the connections of the run, so that none
	// of them waits in the backlog. Every other flag keeps its default: the
	// servers are measured as a learner runs them.
	maxConns bool
}

// buildServer runs `go build` on dir/cmd/server into outDir and asks the
// binary which flags it takes.
func buildServer(ctx context.Context, dir, outDir string) (*serverBinary, error) {
	main := filepath.Join(dir, "cmd", "server")
	if _, err := os.Stat(main); err != nil {
		return nil, fmt.Errorf("%s has no cmd/server to build", dir)
	}
	name := filepath.Base(filepath.Clean(dir))
	out, err := filepath.Abs(filepath.Join(outDir, name+exeSuffix()))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/server")
	build.Dir = dir
	var msg bytes.Buffer
	build.Stdout, build.Stderr = &msg, &msg
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/server in %s: %v\n%s", dir, err, strings.TrimSpace(msg.String()))
	}
	bin := &serverBinary{Name: name, Dir: dir, Path: out}
	bin.readFlags(ctx)
	return bin, nil
}

// readFlags runs the server with -h: the flag package lists every flag.
func (b *serverBinary) readFlags(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	help, _ := exec.CommandContext(ctx, b.Path, "-h").CombinedOutput()
	b.maxConns = bytes.Contains(help, []byte("-max-conns"))
}

// args returns the command line for one run that expects up to conns
// connections at once.
func (b *serverBinary) args(conns int) []string {
	args := []string{"-addr", "127.0.0.1:0"}
	if b.maxConns {
		args = append(args, fmt.Sprintf("-max-conns=%d", conns+16))
	}
	return args
}

// serverProc is one running server process.
type serverProc struct {
	Name string
	Addr string // from its "listening on" line
	Pid  int

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been reaped
	stderr *tailBuffer
	log    string // the file its standard output goes to
	once   sync.Once
}

// running lists every server this process started and has not stopped yet,
// so that an error, a panic in main or Ctrl-C can still stop them all.
var running = struct {
	sync.Mutex
	procs map[*serverProc]bool
}{procs: map[*serverProc]bool{}}

// startServer starts bin (on CPU cpu when cpu >= 0) and waits for its
// "listening on HOST:PORT" line.
func startServer(ctx context.Context, bin *serverBinary, conns, cpu int) (*serverProc, error) {
	argv := append([]string{bin.Path}, bin.args(conns)...)
	if cpu >= 0 {
		var err error
		if argv, err = pinnedCommand(argv, cpu); err != nil {
			return nil, err
		}
	}
	// The server's standard output goes to a file, not a pipe: servers log
	// every connection (lesson 1 every chunk it echoes), and reading a pipe
	// would wake echobench up for each line in the middle of a measurement,
	// while a full pipe would block the server.
	logFile, err := os.CreateTemp("", "echobench-server-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	setProcessGroup(cmd) // so that stopping kills the server and anything it started
	p := &serverProc{Name: bin.Name, cmd: cmd, exited: make(chan struct{}), stderr: &tailBuffer{max: 4096}, log: logFile.Name()}
	cmd.Stdout = logFile
	cmd.Stderr = p.stderr

	running.Lock()
	err = cmd.Start()
	logFile.Close() // The server has its own copy now.
	if err != nil {
		running.Unlock()
		os.Remove(p.log)
		return nil, fmt.Errorf("start %s: %v", bin.Name, err)
	}
	p.Pid = cmd.Process.Pid
	running.procs[p] = true
	running.Unlock()
	go func() {
		cmd.Wait()
		close(p.exited)
	}()

	addr, err := waitListening(ctx, p.log, p.exited)
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s did not start: %v%s", bin.Name, err, p.stderrNote())
	}
	if err := checkLoopback(addr); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s: %v", bin.Name, err)
	}
	p.Addr = addr
	return p, nil
}

// waitListening watches the server's log until its first
// "listening on HOST:PORT" line is complete, and returns HOST:PORT.
func waitListening(ctx context.Context, log string, exited <-chan struct{}) (string, error) {
	deadline := time.Now().Add(startTimeout)
	for {
		if addr, ok := listeningAddr(log); ok {
			return addr, nil
		}
		select {
		case <-exited:
			return "", errors.New(`it exited before printing "listening on HOST:PORT"`)
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Millisecond):
			// A file has nothing to wait on: look again shortly.
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf(`no "listening on HOST:PORT" line on its standard output within %v`, startTimeout)
		}
	}
}

// listeningAddr finds the first complete "listening on HOST:PORT" line.
func listeningAddr(log string) (string, bool) {
	f, err := os.Open(log)
	if err != nil {
		return "", false
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, 1<<20)) // The line comes first; a megabyte is plenty.
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", false // No complete line yet.
		}
		if addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on "); ok {
			return strings.TrimSpace(addr), true
		}
	}
}

// Stop kills the server's whole process group and waits until it is gone.
// It is safe to call more than once and from several goroutines.
func (p *serverProc) Stop() {
	p.once.Do(func() {
		killProcessGroup(p.cmd)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			// Should never happen after SIGKILL; say so rather than hang.
			fmt.Fprintf(os.Stderr, "echobench: server %s (pid %d) did not exit after SIGKILL\n", p.Name, p.Pid)
		}
		os.Remove(p.log)
		running.Lock()
		delete(running.procs, p)
		running.Unlock()
	})
}

// Alive reports whether the process has not exited yet.
func (p *serverProc) Alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *serverProc) stderrNote() string {
	if s := strings.TrimSpace(p.stderr.String()); s != "" {
		return "; its standard error ends with:\n" + s
	}
	return ""
}

// stopAllServers stops every server still running.
func stopAllServers() {
	running.Lock()
	procs := make([]*serverProc, 0, len(running.procs))
	for p := range running.procs {
		procs = append(procs, p)
	}
	running.Unlock()
	for _, p := range procs {
		p.Stop()
	}
}

// tailBuffer keeps the last max bytes written to it: enough of a server's
// standard error to explain why it failed, without growing without bound.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
