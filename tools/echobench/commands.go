package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// target is the server a pingpong or hold run talks to: either one that
// echobench builds and starts (-server), or one already running (-addr).
type target struct {
	server string
	addr   string
	pid    int
	pin    bool
}

func (t *target) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.server, "server", "", "build `DIR`/cmd/server (a lesson or solution folder; or give an executable), start it on 127.0.0.1:0, stop it at the end")
	fs.StringVar(&t.addr, "addr", "", "address of a server that is already running (loopback only), e.g. 127.0.0.1:12345")
	fs.IntVar(&t.pid, "pid", 0, "with -addr: the server's process id, to read its memory and CPU time from /proc (Linux)")
	fs.BoolVar(&t.pin, "pin", false, "with -server, on Linux: run the server on CPU 0 and echobench on CPU 1 (steadier figures)")
}

// start resolves the target: it builds and starts the server if asked to,
// and returns its address and pid. The caller must call stop.
func (t *target) start(ctx context.Context, conns int, stderr io.Writer) (addr string, pid int, stop func(), err error) {
	switch {
	case t.server != "" && t.addr != "":
		return "", 0, nil, errors.New("give -server or -addr, not both")
	case t.server == "" && t.addr == "":
		return "", 0, nil, errors.New("give -server DIR (echobench starts the server) or -addr ADDR (a server already running)")
	case t.addr != "":
		if t.pin {
			return "", 0, nil, errors.New("-pin works with -server only (use taskset yourself for a server you started)")
		}
		return t.addr, t.pid, func() {}, checkLoopback(t.addr)
	}
	bin, cleanup, err := prepareServer(ctx, t.server)
	if err != nil {
		return "", 0, nil, err
	}
	cpu := -1
	if t.pin {
		if err := pinSelf(1); err != nil {
			cleanup()
			return "", 0, nil, err
		}
		cpu = 0
	}
	p, err := startServer(ctx, bin, conns, cpu)
	if err != nil {
		cleanup()
		return "", 0, nil, err
	}
	fmt.Fprintf(stderr, "echobench: started %s, pid %d, listening on %s\n", bin.Name, p.Pid, p.Addr)
	return p.Addr, p.Pid, func() { p.Stop(); cleanup() }, nil
}

// prepareServer returns a runnable server for path: a folder with
// cmd/server is built into a temporary folder (removed by cleanup); an
// executable file is used as it is.
func prepareServer(ctx context.Context, path string) (bin *serverBinary, cleanup func(), err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("-server: %v", err)
	}
	if !fi.IsDir() {
		bin := &serverBinary{Name: fi.Name(), Dir: path, Path: path}
		bin.readFlags(ctx)
		return bin, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "echobench")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	bin, err = buildServer(ctx, path, tmp)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return bin, cleanup, nil
}

// parseFlags parses args, turning the flag package's errors into errUsage
// (it has already printed them) and rejecting stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "echobench %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func pingPongCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pingpong", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var t target
	t.flags(fs)
	cfg := pingPongConfig{}
	fs.IntVar(&cfg.Conns, "conns", 10, "connections, each doing one round trip at a time")
	fs.IntVar(&cfg.Size, "size", 64, "bytes per line, the final \\n included")
	fs.DurationVar(&cfg.Duration, "d", 3*time.Second, "measured duration (at most 1m)")
	fs.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "unmeasured warm-up before it")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: echobench pingpong [flags]\n\n"+
			"Opens -conns connections; each writes a -size-byte line, reads the whole echo,\n"+
			"checks it and writes the next, for -d after -warmup. Prints messages/s, the\n"+
			"latency of one round trip (p50, p90, p99, max), how many connections were\n"+
			"served, and errors.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := errors.Join(checkConns(cfg.Conns), checkSize(cfg.Size), checkDuration("-d", cfg.Duration),
		checkDuration("-warmup", cfg.Warmup+1)); err != nil {
		return err
	}
	addr, pid, stop, err := t.start(ctx, cfg.Conns, stderr)
	if err != nil {
		return err
	}
	defer stop()
	cfg.Addr, cfg.Pid = addr, pid
	bar := newProgressLine(stderr)
	r, err := pingPong(ctx, cfg, bar.Show)
	bar.Clear()
	if err != nil {
		return err
	}
	if *asJSON {
		writeJSON(stdout, r)
	} else {
		printPingPong(stdout, r)
	}
	return underLoadErr(r)
}

// underLoadErr fails a run that had errors: a server that stopped
// answering, or answered wrong, has not been measured.
func underLoadErr(r *PingPongResult) error {
	if r.Errors == 0 {
		return nil
	}
	err := fmt.Sprintf("%d errors under load (first: %s)", r.Errors, r.FirstError)
	if r.StoppedAfter != nil {
		err += fmt.Sprintf("; the server stopped answering %.1fs into the %.1fs run", *r.StoppedAfter, r.Seconds)
	}
	return errors.New(err)
}

func holdCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hold", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var t target
	t.flags(fs)
	cfg := holdConfig{}
	fs.IntVar(&cfg.Conns, "conns", 1000, "connections to open and hold")
	fs.IntVar(&cfg.Size, "size", 64, "bytes of the one line each connection sends")
	fs.DurationVar(&cfg.Settle, "settle", 500*time.Millisecond, "wait after the last echo before reading the server's memory")
	fs.DurationVar(&cfg.For, "for", 0, "then keep the connections open this long (at most 1m), e.g. to watch the server in top")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: echobench hold [flags]\n\n"+
			"Opens -conns connections, sends one line on each and waits for its echo, then\n"+
			"leaves them idle and reads the server's resident memory (VmRSS in\n"+
			"/proc/PID/status, Linux) before and after: the memory one held connection\n"+
			"costs the server. Needs -server, or -addr with -pid.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var forErr error
	if cfg.For != 0 {
		forErr = checkDuration("-for", cfg.For)
	}
	if err := errors.Join(checkConns(cfg.Conns), checkSize(cfg.Size), checkDuration("-settle", cfg.Settle+1), forErr); err != nil {
		return err
	}
	addr, pid, stop, err := t.start(ctx, cfg.Conns, stderr)
	if err != nil {
		return err
	}
	defer stop()
	cfg.Addr, cfg.Pid = addr, pid
	bar := newProgressLine(stderr)
	cfg.OnHeld = func(r *HoldResult) {
		bar.Clear()
		if *asJSON {
			writeJSON(stdout, r)
		} else {
			printHold(stdout, r)
		}
		if cfg.For > 0 {
			fmt.Fprintf(stderr, "echobench: holding %d connections for %v (Ctrl-C to stop)\n", r.Held, cfg.For)
		}
	}
	_, err = hold(ctx, cfg, bar.Show)
	bar.Clear()
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printPingPong(w io.Writer, r *PingPongResult) {
	fmt.Fprintf(w, "ping-pong: %d connections, %d-byte lines, %.1fs to %s\n", r.Conns, r.Size, r.Seconds, r.Addr)
	fmt.Fprintf(w, "  messages:  %d (%s/s)\n", r.Messages, si(r.PerSec))
	fmt.Fprintf(w, "  latency:   p50 %s  p90 %s  p99 %s  max %s\n", latency(r.P50), latency(r.P90), latency(r.P99), latency(r.Max))
	fmt.Fprintf(w, "  served:    %d of %d connections", r.Served, r.Conns)
	if r.Served < r.Conns {
		fmt.Fprintf(w, " (%d got no echo in %.1fs: the server serves fewer clients at a time)", r.Conns-r.Served, r.Seconds)
	}
	fmt.Fprintln(w)
	if r.ServerCPU >= 0 {
		fmt.Fprintf(w, "  server:    %.1f µs of CPU per message\n", r.ServerCPU)
	}
	fmt.Fprintf(w, "  errors:    %d", r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, " (first: %s)", r.FirstError)
	}
	fmt.Fprintln(w)
	if r.StoppedAfter != nil {
		fmt.Fprintf(w, "  stopped:   no echo after %.1fs of %.1fs: the server stopped answering (messages/s counts the %.1fs it answered)\n",
			*r.StoppedAfter, r.Seconds, *r.StoppedAfter)
	}
}

func printHold(w io.Writer, r *HoldResult) {
	fmt.Fprintf(w, "hold: %d connections to %s, opened and echoed in %.1fs\n", r.Conns, r.Addr, r.Seconds)
	fmt.Fprintf(w, "  held:      %d, echoed %d", r.Held, r.Echoed)
	if r.Echoed < r.Held {
		fmt.Fprintf(w, " (%d got no echo within %v)", r.Held-r.Echoed, echoTimeout)
	}
	fmt.Fprintln(w)
	if r.RSSBeforeKB >= 0 && r.RSSAfterKB >= 0 {
		fmt.Fprintf(w, "  server:    RSS %d KiB before, %d KiB after, %s per connection, %d threads\n",
			r.RSSBeforeKB, r.RSSAfterKB, bytesPerConn(r.BytesPerConn), r.Threads)
	} else {
		fmt.Fprintln(w, "  server:    memory unknown (needs Linux, and -pid with -addr)")
	}
	fmt.Fprintf(w, "  errors:    %d", r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, " (first: %s)", r.FirstError)
	}
	fmt.Fprintln(w)
}
