package hostile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// startTimeout bounds how long a server may take to print "listening on".
const startTimeout = 10 * time.Second

// Options change how a server is started.
type Options struct {
	// NoFile, if not 0, is the server's limit on open descriptors
	// (ulimit -n), soft and hard. Linux only.
	NoFile int
	// UnreadStdout stops reading the server's standard output after the
	// "listening on" line, as a script that has what it needs would: the
	// pipe stays open, and fills.
	UnreadStdout bool
}

// Server is one running server process.
type Server struct {
	Addr string
	Pid  int

	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	state  *os.ProcessState
	stderr *tailBuffer

	mu     sync.Mutex
	stdout *tailBuffer
	wakeup chan struct{} // closed and replaced on every line of standard output
}

// start runs path with args in a process group of its own and waits for
// its "listening on HOST:PORT" line.
func start(ctx context.Context, path string, opts Options, args []string) (*Server, error) {
	cmd := exec.Command(path, args...)
	if opts.NoFile > 0 {
		var err error
		if cmd, err = withNoFile(opts.NoFile, path, args); err != nil {
			return nil, err
		}
	}
	ownProcessGroup(cmd)
	s := &Server{
		cmd: cmd, exited: make(chan struct{}),
		stderr: newTailBuffer(64 << 10), stdout: newTailBuffer(256 << 10),
		wakeup: make(chan struct{}),
	}
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", path, err)
	}
	s.Pid = cmd.Process.Pid
	go func() {
		s.cmd.Wait()
		s.state = s.cmd.ProcessState
		close(s.exited)
	}()

	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewReader(out)
		listening := false
		for {
			line, err := lines.ReadString('\n')
			s.mu.Lock()
			s.stdout.Write([]byte(line))
			close(s.wakeup)
			s.wakeup = make(chan struct{})
			s.mu.Unlock()
			if err != nil {
				return
			}
			if a, ok := strings.CutPrefix(line, "listening on "); ok && !listening {
				listening = true
				addr <- strings.TrimSpace(a)
				if opts.UnreadStdout {
					return // the pipe stays open: the server's writes pile up in it
				}
			}
		}
	}()
	select {
	case s.Addr = <-addr:
		return s, nil
	case <-s.exited:
		return s, fmt.Errorf("the server exited (%v) before it printed \"listening on\"; its standard error: %q",
			s.state, shorten(s.stderr.String(), 300))
	case <-time.After(startTimeout):
		return s, fmt.Errorf("the server printed no \"listening on HOST:PORT\" line within %v", startTimeout)
	case <-ctx.Done():
		return s, ctx.Err()
	}
}

// Stdout is what the server has printed on standard output (its last 256 KiB).
func (s *Server) Stdout() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String()
}

// Stderr is the end of what the server has printed on standard error.
func (s *Server) Stderr() string { return s.stderr.String() }

// WaitStdout waits up to d for the server to print text on standard output.
func (s *Server) WaitStdout(text string, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		found, wake := strings.Contains(s.stdout.String(), text), s.wakeup
		s.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-wake:
		case <-s.exited:
			return strings.Contains(s.Stdout(), text)
		case <-deadline.C:
			return false
		}
	}
}

// Wait waits up to d for the server to exit; ok is false if it is still running.
func (s *Server) Wait(d time.Duration) (state *os.ProcessState, ok bool) {
	select {
	case <-s.exited:
		return s.state, true
	case <-time.After(d):
		return nil, false
	}
}

// Running reports whether the server has not exited yet.
func (s *Server) Running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Kill kills the server's whole process group and waits for it.
func (s *Server) Kill() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	killProcessGroup(s.cmd)
	<-s.exited
}

// Signal sends sig (SIGTERM, SIGINT) to the server process.
func (s *Server) Signal(sig os.Signal) error {
	if !s.Running() {
		return errors.New("the server has already exited")
	}
	return s.cmd.Process.Signal(sig)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	// Trim only once twice the limit is held: a server logging a line per
	// connection must not wait for a copy of the whole tail on every line.
	if over := len(b.buf) - b.max; over > b.max {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf[max(0, len(b.buf)-b.max):])
}

// shorten quotes at most n bytes of s, saying how much was left out.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes in all)", s[:n], len(s))
}
