package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printCompare prints the compare report as plain text tables.
func printCompare(w io.Writer, r *CompareReport) {
	fmt.Fprintf(w, "%s\n", r.Machine)
	fmt.Fprintf(w, "%s\n\n", settingsLine(r))
	// Names read best left-aligned, numbers right-aligned: pad the names to
	// one width, and let tabwriter right-align every column.
	width := len("server")
	for _, row := range r.Rows {
		width = max(width, len(row.Server))
	}
	name := func(s string) string { return s + strings.Repeat(" ", width-len(s)) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tconns\tmsg/s\tp50\tp90\tp99\tmax\tserver CPU/msg\tserved\terrors\t\n", name("server"))
	for _, row := range r.Rows {
		if pp := row.PingPong; pp != nil {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", name(row.Server), pp.Conns, si(pp.PerSec),
				latency(pp.P50), latency(pp.P90), latency(pp.P99), latency(pp.Max), cpuPerMsg(pp.ServerCPU),
				fmt.Sprintf("%d/%d", pp.Served, pp.Conns), row.Errors)
		} else if row.Point.Mode == "pingpong" {
			fmt.Fprintf(tw, "%s\t%d\tfailed\t\t\t\t\t\t\t%d\t\n", name(row.Server), row.Point.Conns, row.Errors)
		}
	}
	tw.Flush()
	if hasHold(r) {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\theld\techoed\tRSS before\tRSS after\tper connection\tthreads\terrors\t\n", name("server"))
		for _, row := range r.Rows {
			if h := row.Hold; h != nil {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t\n", name(row.Server), h.Held, h.Echoed, mib(h.RSSBeforeKB),
					mib(h.RSSAfterKB), bytesPerConn(h.BytesPerConn), h.Threads, row.Errors)
			} else if row.Point.Mode == "hold" {
				fmt.Fprintf(tw, "%s\t%d\tfailed\t\t\t\t\t%d\t\n", name(row.Server), row.Point.Conns, row.Errors)
			}
		}
		tw.Flush()
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
	fmt.Fprintf(w, "\n%d runs in %s\n", len(r.Runs), roundDur(secondsDur(r.Elapsed)))
}

func hasHold(r *CompareReport) bool {
	for _, row := range r.Rows {
		if row.Point.Mode == "hold" {
			return true
		}
	}
	return false
}

// settingsLine says how the runs were made, in one sentence.
func settingsLine(r *CompareReport) string {
	s := r.Settings
	pin := "client and servers share the CPUs"
	if s.Pinned {
		pin = "servers on CPU 0, load on CPU 1"
	}
	rounds := fmt.Sprintf("median of %d rounds", s.Rounds)
	if s.Rounds == 1 {
		rounds = "1 round"
	}
	return fmt.Sprintf("%d-byte lines, ping-pong %gs after %gs warm-up, %s, a fresh server per run, %s",
		s.Size, s.Seconds, s.Warmup, rounds, pin)
}

func cpuPerMsg(us float64) string {
	if us < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fµs", us)
}

func mib(kb int64) string {
	if kb < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
}

// markdownTables renders the report's tables for the chapter.
func markdownTables(r *CompareReport) string {
	var b strings.Builder
	b.WriteString("| Server | Connections | Messages/s | p50 | p90 | p99 | max | Server CPU per message | Served | Errors |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, row := range r.Rows {
		if pp := row.PingPong; pp != nil {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %d of %d | %d |\n", row.Server, pp.Conns,
				thousands(pp.PerSec), latency(pp.P50), latency(pp.P90), latency(pp.P99), latency(pp.Max),
				cpuPerMsg(pp.ServerCPU), pp.Served, pp.Conns, row.Errors)
		} else if row.Point.Mode == "pingpong" {
			fmt.Fprintf(&b, "| %s | %d | failed | | | | | | | %d |\n", row.Server, row.Point.Conns, row.Errors)
		}
	}
	if hasHold(r) {
		b.WriteString("\n| Server | Held | Echoed | Server RSS before | after | Per connection | Threads | Errors |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, row := range r.Rows {
			if h := row.Hold; h != nil {
				fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %d | %d |\n", row.Server, h.Held, h.Echoed,
					mib(h.RSSBeforeKB), mib(h.RSSAfterKB), bytesPerConn(h.BytesPerConn), h.Threads, row.Errors)
			} else if row.Point.Mode == "hold" {
				fmt.Fprintf(&b, "| %s | %d | failed | | | | | %d |\n", row.Server, row.Point.Conns, row.Errors)
			}
		}
	}
	return b.String()
}

// thousands formats 123456.7 as "123,457".
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
