package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// compareConfig describes a compare run: which servers, which points, how
// many rounds.
type compareConfig struct {
	Dirs     []string
	Conns    []int // ping-pong points
	Hold     int   // connections held in the hold point; 0 skips it
	Size     int
	Duration time.Duration
	Warmup   time.Duration
	Settle   time.Duration
	Rounds   int
	Pin      bool
}

// point is one measurement a server goes through in every round.
type point struct {
	Mode  string `json:"mode"` // "pingpong" or "hold"
	Conns int    `json:"conns"`
}

func (p point) String() string {
	if p.Mode == "hold" {
		return fmt.Sprintf("hold %d", p.Conns)
	}
	return fmt.Sprintf("ping-pong %d", p.Conns)
}

// ServerInfo says what compare learnt about one server before measuring it.
type ServerInfo struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
	// OneAtATime is set when a second client got no echo while a first one
	// stayed connected: the server serves one client at a time (lessons 1
	// and 2), so only small ping-pong points are measured.
	OneAtATime bool   `json:"one_at_a_time"`
	Skipped    string `json:"skipped,omitempty"` // why it was not measured at all
	bin        *serverBinary
}

// Run is one measurement: one fresh server process, one point.
type Run struct {
	Server   string          `json:"server"`
	Round    int             `json:"round"`
	Point    point           `json:"point"`
	PingPong *PingPongResult `json:"pingpong,omitempty"`
	Hold     *HoldResult     `json:"hold,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// Row is the median of one server's runs at one point.
type Row struct {
	Server   string          `json:"server"`
	Point    point           `json:"point"`
	Runs     int             `json:"runs"`
	PingPong *PingPongResult `json:"pingpong,omitempty"`
	Hold     *HoldResult     `json:"hold,omitempty"`
	// Errors adds up every run's errors, and failed runs.
	Errors int64 `json:"errors"`
}

// CompareReport is everything a compare run produced: the -json output,
// and what the chapter and the charts are drawn from.
type CompareReport struct {
	Command  string       `json:"command"`
	Date     string       `json:"date"`
	Machine  Machine      `json:"machine"`
	Settings Settings     `json:"settings"`
	Servers  []ServerInfo `json:"servers"`
	Rows     []Row        `json:"rows"`
	Runs     []Run        `json:"runs"`
	Notes    []string     `json:"notes,omitempty"`
	Elapsed  float64      `json:"elapsed_seconds"`
}

// Settings records how the runs were made.
type Settings struct {
	Size     int     `json:"size"`
	Seconds  float64 `json:"seconds"`
	Warmup   float64 `json:"warmup_seconds"`
	Rounds   int     `json:"rounds"`
	Pinned   bool    `json:"pinned"`
	Conns    []int   `json:"conns"`
	HoldConn int     `json:"hold_conns"`
}

func compareCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := compareConfig{}
	conns := fs.String("conns", "1,10,100,1000,10000", "ping-pong connection counts, comma-separated")
	fs.IntVar(&cfg.Hold, "hold", 10000, "connections held in hold mode (0: no hold run)")
	fs.IntVar(&cfg.Size, "size", 64, "bytes per line, the final \\n included")
	fs.DurationVar(&cfg.Duration, "d", 2*time.Second, "measured duration of each ping-pong run")
	fs.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "unmeasured warm-up before each")
	fs.DurationVar(&cfg.Settle, "settle", 500*time.Millisecond, "wait before reading memory in hold runs")
	fs.IntVar(&cfg.Rounds, "rounds", 5, "rounds; each measures every server at every point once, in a rotated order")
	fs.BoolVar(&cfg.Pin, "pin", false, "on Linux: servers on CPU 0, echobench on CPU 1 (needs taskset and 2 CPUs)")
	asJSON := fs.Bool("json", false, "print the whole report as JSON")
	write := fs.String("write", "", "update the generated section of this Markdown `FILE` (e.g. docs/benchmarks.md) and write its SVG charts into a folder named after it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: echobench compare [flags] [DIR...]\n\n"+
			"Builds DIR/cmd/server for each DIR (default: every solutions/*/cmd/server of the\n"+
			"repository), then for each round measures every server at every point: ping-pong\n"+
			"at each -conns, then hold at -hold. Each measurement starts a fresh server on\n"+
			"127.0.0.1:0 and stops it after; the order of servers rotates from round to round.\n"+
			"Prints the median of the rounds. A server that serves one client at a time is\n"+
			"measured at 1 connection and at the next count only (showing what waiting costs).\n\n"+
			"Flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	cfg.Dirs = fs.Args()
	var err error
	if cfg.Conns, err = parseCounts(*conns); err != nil {
		return err
	}
	if cfg.Rounds < 1 || cfg.Rounds > 9 {
		return fmt.Errorf("-rounds %d: want 1 to 9", cfg.Rounds)
	}
	most := slices.Max(cfg.Conns)
	holdErr := error(nil)
	if cfg.Hold < 0 || cfg.Hold > maxConns {
		holdErr = fmt.Errorf("-hold %d: want 0 to %d", cfg.Hold, maxConns)
	}
	if err := errors.Join(holdErr, checkConns(max(most, cfg.Hold)), checkSize(cfg.Size),
		checkDuration("-d", cfg.Duration), checkDuration("-warmup", cfg.Warmup+1), checkDuration("-settle", cfg.Settle+1)); err != nil {
		return err
	}
	if len(cfg.Dirs) == 0 {
		if cfg.Dirs, err = solutionDirs(); err != nil {
			return err
		}
	}
	bar := newProgressLine(stderr)
	logf := func(format string, a ...any) {
		bar.Clear()
		fmt.Fprintf(stderr, "echobench: "+format+"\n", a...)
	}
	report, err := compare(ctx, cfg, bar, logf)
	bar.Clear()
	if err != nil {
		return err
	}
	report.Command = "go run ./tools/echobench compare " + strings.Join(args, " ")
	report.Command = strings.TrimSpace(report.Command)
	if *write != "" {
		if err := writeChapter(*write, report); err != nil {
			return err
		}
		logf("wrote %s and its charts", *write)
	}
	if *asJSON {
		return writeJSON(stdout, report)
	}
	printCompare(stdout, report)
	return nil
}

// parseCounts parses "1,10,100" into sorted, distinct counts.
func parseCounts(s string) ([]int, error) {
	var counts []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxConns {
			return nil, fmt.Errorf("-conns %q: want comma-separated counts from 1 to %d", s, maxConns)
		}
		counts = append(counts, n)
	}
	slices.Sort(counts)
	return slices.Compact(counts), nil
}

// solutionDirs finds every solutions/*/cmd/server in the repository that
// holds the current folder (the one with go.work).
func solutionDirs() ([]string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("no go.work above this folder: run compare from the repository, or name the server folders")
		}
		dir = parent
	}
	mains, _ := filepath.Glob(filepath.Join(dir, "solutions", "*", "cmd", "server"))
	var dirs []string
	for _, m := range mains {
		d := filepath.Dir(filepath.Dir(m))
		if rel, err := filepath.Rel(mustGetwd(), d); err == nil {
			d = rel
		}
		dirs = append(dirs, d)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no solutions/*/cmd/server under %s", dir)
	}
	sort.Strings(dirs)
	return dirs, nil
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// compare builds, probes and measures every server; see compareCommand.
func compare(ctx context.Context, cfg compareConfig, bar *progressLine, logf func(string, ...any)) (*CompareReport, error) {
	began := time.Now()
	report := &CompareReport{
		Date:    began.UTC().Format("2006-01-02 15:04 MST"),
		Machine: describeMachine(ctx),
		Settings: Settings{Size: cfg.Size, Seconds: cfg.Duration.Seconds(), Warmup: cfg.Warmup.Seconds(),
			Rounds: cfg.Rounds, Pinned: cfg.Pin, Conns: cfg.Conns, HoldConn: cfg.Hold},
	}
	note := func(format string, a ...any) {
		report.Notes = append(report.Notes, fmt.Sprintf(format, a...))
		logf(format, a...)
	}

	tmp, err := os.MkdirTemp("", "echobench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// Build and probe every server before any measurement, so that a broken
	// one is reported in seconds, not after minutes of runs.
	var servers []*ServerInfo
	for _, dir := range cfg.Dirs {
		info := &ServerInfo{Name: filepath.Base(filepath.Clean(dir)), Dir: filepath.ToSlash(dir)}
		bar.Show("building " + dir)
		info.bin, err = buildServer(ctx, dir, tmp)
		if err == nil {
			bar.Show("probing " + info.Name)
			info.OneAtATime, err = probe(ctx, info.bin)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			info.Skipped = err.Error()
			note("skipped %s: %v", dir, err)
		} else if info.OneAtATime {
			note("%s serves one client at a time: a second client got no echo while the first stayed connected", info.Name)
		}
		report.Servers = append(report.Servers, *info)
		if info.Skipped == "" {
			servers = append(servers, info)
		}
	}
	if len(servers) == 0 {
		return nil, errors.New("no server to measure")
	}

	if cfg.Pin {
		if err := pinSelf(1); err != nil {
			return nil, err
		}
		if _, err := pinnedCommand([]string{"true"}, 0); err != nil {
			return nil, err
		}
	}
	cpu := -1
	if cfg.Pin {
		cpu = 0
	}

	plan := planRuns(cfg, servers)
	left := 0.0
	for _, r := range plan {
		left += estimate(cfg, r.point)
	}
	for i, item := range plan {
		label := fmt.Sprintf("[%d/%d] round %d/%d, %s, %s", i+1, len(plan), item.round+1, cfg.Rounds, item.server.Name, item.point)
		show := func(s string) {
			bar.Show(fmt.Sprintf("%s: %s (about %s left)", label, s, roundDur(time.Duration(left*float64(time.Second)))))
		}
		show("starting")
		run := measure(ctx, cfg, item.server, item.point, cpu, show)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		run.Round = item.round + 1
		left -= estimate(cfg, item.point)
		report.Runs = append(report.Runs, run)
		logf("%s: %s", label, summarize(run))
	}
	report.Rows = medians(report.Runs)
	report.Elapsed = time.Since(began).Seconds()
	return report, nil
}

// plannedRun is one entry of the plan: which server, which point, which round.
type plannedRun struct {
	round  int
	point  point
	server *ServerInfo
}

// planRuns lists every measurement in the order they are made: round by
// round, point by point, and for each point the servers in an order that
// rotates each round, so that no server is always measured first (on a cool
// machine) or last (after the others warmed it up).
func planRuns(cfg compareConfig, servers []*ServerInfo) []plannedRun {
	var points []point
	for _, n := range cfg.Conns {
		points = append(points, point{"pingpong", n})
	}
	if cfg.Hold > 0 {
		points = append(points, point{"hold", cfg.Hold})
	}
	// A one-at-a-time server runs at 1 connection and at the smallest count
	// above 1: enough to show that the other clients wait.
	waitPoint := 0
	for _, n := range cfg.Conns {
		if n > 1 {
			waitPoint = n
			break
		}
	}
	var plan []plannedRun
	for round := range cfg.Rounds {
		for _, p := range points {
			for k := range servers {
				s := servers[(k+round)%len(servers)]
				if s.OneAtATime && (p.Mode == "hold" || (p.Conns > 1 && p.Conns != waitPoint)) {
					continue
				}
				plan = append(plan, plannedRun{round, p, s})
			}
		}
	}
	return plan
}

// estimate guesses how long one run takes, for the progress line.
func estimate(cfg compareConfig, p point) float64 {
	if p.Mode == "hold" {
		return 1 + cfg.Settle.Seconds() + float64(p.Conns)/5000
	}
	return 0.3 + cfg.Warmup.Seconds() + cfg.Duration.Seconds() + float64(p.Conns)/5000
}

// measure starts a fresh server, makes one run against it and stops it.
func measure(ctx context.Context, cfg compareConfig, s *ServerInfo, p point, cpu int, show func(string)) Run {
	run := Run{Server: s.Name, Point: p}
	proc, err := startServer(ctx, s.bin, p.Conns, cpu)
	if err != nil {
		run.Error = err.Error()
		return run
	}
	defer proc.Stop()
	switch p.Mode {
	case "hold":
		run.Hold, err = hold(ctx, holdConfig{Addr: proc.Addr, Pid: proc.Pid, Conns: p.Conns, Size: cfg.Size, Settle: cfg.Settle}, show)
	default:
		run.PingPong, err = pingPong(ctx, pingPongConfig{Addr: proc.Addr, Pid: proc.Pid, Conns: p.Conns, Size: cfg.Size,
			Duration: cfg.Duration, Warmup: cfg.Warmup}, show)
	}
	if err != nil {
		run.Error = err.Error()
	}
	if !proc.Alive() && run.Error == "" {
		run.Error = "the server exited during the run" + proc.stderrNote()
	}
	return run
}

// summarize is the one-line log of a run.
func summarize(r Run) string {
	switch {
	case r.Error != "":
		return "failed: " + r.Error
	case r.Hold != nil:
		return fmt.Sprintf("%d held, %d echoed, %s per connection", r.Hold.Held, r.Hold.Echoed, bytesPerConn(r.Hold.BytesPerConn))
	case r.PingPong != nil:
		return fmt.Sprintf("%s msg/s, p99 %s, %d of %d served, %d errors",
			si(r.PingPong.PerSec), latency(r.PingPong.P99), r.PingPong.Served, r.PingPong.Conns, r.PingPong.Errors)
	}
	return ""
}

// probe starts the server once and checks that it echoes, and whether it
// serves a second client while a first one stays connected.
func probe(ctx context.Context, bin *serverBinary) (oneAtATime bool, err error) {
	p, err := startServer(ctx, bin, 2, -1)
	if err != nil {
		return false, err
	}
	defer p.Stop()
	line := newLine(16)
	roundTrip := func(c net.Conn, wait time.Duration) error {
		c.SetDeadline(time.Now().Add(wait))
		if _, err := c.Write(line); err != nil {
			return err
		}
		echo := make([]byte, len(line))
		if _, err := io.ReadFull(c, echo); err != nil {
			return err
		}
		if string(echo) != string(line) {
			return fmt.Errorf("sent %q, got back %q", line, echo)
		}
		return nil
	}
	first, err := loopbackDialer.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return false, err
	}
	defer first.Close()
	if err := roundTrip(first, echoTimeout); err != nil {
		return false, fmt.Errorf("no echo of a first line: %v", err)
	}
	second, err := loopbackDialer.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return false, err
	}
	defer second.Close()
	// One second is ample for a server that serves both; lesson 1 and 2
	// would never answer while first stays open.
	if err := roundTrip(second, time.Second); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return true, nil
		}
		return false, fmt.Errorf("second client: %v", err)
	}
	return false, nil
}
