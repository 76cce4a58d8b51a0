package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCompareMeasuresEachServerAndWritesTheChapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two servers and measures them for a few seconds")
	}
	chapter := filepath.Join(t.TempDir(), "bench.md")
	os.WriteFile(chapter, []byte("# Bench\n\nWritten by hand.\n\n"+beginMarker+"\nold\n"+endMarker+"\n\nAlso by hand.\n"), 0o644)
	var out, log bytes.Buffer
	args := []string{"-conns", "1,3,5", "-hold", "20", "-d", "200ms", "-warmup", "50ms", "-settle", "10ms", "-rounds", "2",
		"-write", chapter, filepath.Join("testdata", "lineecho"), filepath.Join("testdata", "oneatatime")}
	began := time.Now()
	if err := compareCommand(testContext(t), args, &out, &log); err != nil {
		t.Fatalf("compare %s: %v\nlog:\n%s", strings.Join(args, " "), err, log.String())
	}
	if took := time.Since(began); took > time.Minute {
		t.Errorf("a compare of about 8 short runs took %v", took)
	}
	text := out.String()
	for _, want := range []string{"lineecho", "oneatatime", "1/3", "5/5", "held"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(log.String(), "failed") {
		t.Errorf("a run failed:\n%s", log.String())
	}
	// The one-at-a-time server is measured at 1 and 3 connections only.
	if strings.Contains(log.String(), "oneatatime, ping-pong 5") || strings.Contains(log.String(), "oneatatime, hold") {
		t.Errorf("the one-at-a-time server was measured beyond 3 connections:\n%s", log.String())
	}
	if strings.Contains(log.String(), "\r") {
		t.Error("the log holds \\r progress lines although it is not a terminal")
	}

	doc, _ := os.ReadFile(chapter)
	for _, want := range []string{"Written by hand.", "Also by hand.", "](bench/throughput.svg)", "](bench/memory.svg)", "| lineecho | 5 |"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("the chapter lacks %q:\n%s", want, doc)
		}
	}
	if bytes.Contains(doc, []byte("\nold\n")) {
		t.Errorf("the old generated section was kept:\n%s", doc)
	}
	for _, name := range []string{"throughput.svg", "latency.svg", "memory.svg"} {
		svg, err := os.ReadFile(filepath.Join(filepath.Dir(chapter), "bench", name))
		if err != nil {
			t.Fatal(err)
		}
		checkPlainSVG(t, name, svg)
		if name == "memory.svg" && !bytes.Contains(svg, []byte("one client at a time")) {
			t.Errorf("%s does not say why the one-at-a-time server has no bar:\n%s", name, svg)
		}
	}
}

// checkPlainSVG checks what GitHub needs to show an SVG as an image: well
// formed, a size and a viewBox, no script, nothing fetched from elsewhere.
func checkPlainSVG(t *testing.T, name string, svg []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attrs := map[string]bool{}
		for _, a := range el.Attr {
			if attrs[a.Name.Local] {
				t.Errorf("%s: <%s> has the attribute %s twice, which makes the file invalid", name, el.Name.Local, a.Name.Local)
			}
			attrs[a.Name.Local] = true
		}
		if root {
			if el.Name.Local != "svg" || !attrs["width"] || !attrs["height"] || !attrs["viewBox"] {
				t.Errorf("%s: root <%s> with %v; want <svg> with width, height and viewBox", name, el.Name.Local, attrs)
			}
			root = false
		}
		switch el.Name.Local {
		case "script", "foreignObject", "image", "style", "a":
			t.Errorf("%s holds a <%s> element", name, el.Name.Local)
		}
	}
	if bytes.Contains(svg, []byte("http://")) && bytes.Count(svg, []byte("http://")) != 1 {
		t.Errorf("%s refers to something besides the SVG namespace", name)
	}
}

func TestChartsFromAReport(t *testing.T) {
	r := &CompareReport{
		Settings: Settings{Size: 64, Rounds: 3, HoldConn: 10000},
		Servers:  []ServerInfo{{Name: "lesson01-blocking", OneAtATime: true}, {Name: "lesson03-goroutines"}, {Name: "lesson04-<poller>"}},
		Rows: []Row{
			{Server: "lesson01-blocking", PingPong: &PingPongResult{Conns: 1, PerSec: 20000, P99: 150, Served: 1}},
			{Server: "lesson01-blocking", PingPong: &PingPongResult{Conns: 10, PerSec: 19000, P99: 300, Served: 1}},
			{Server: "lesson03-goroutines", PingPong: &PingPongResult{Conns: 10, PerSec: 90000, P99: 1500, Served: 10}},
			{Server: "lesson03-goroutines", PingPong: &PingPongResult{Conns: 1000, PerSec: 80000, P99: 200000, Served: 1000}},
			{Server: "lesson03-goroutines", Point: point{"hold", 10000}, Hold: &HoldResult{BytesPerConn: 8000}},
			{Server: "lesson04-<poller>", Point: point{"hold", 10000}, Hold: &HoldResult{BytesPerConn: 250}},
		},
	}
	tp, lat, mem := throughputChart(r), latencyChart(r), memoryChart(r)
	checkPlainSVG(t, "throughput.svg", tp)
	checkPlainSVG(t, "latency.svg", lat)
	checkPlainSVG(t, "memory.svg", mem)
	if !bytes.Contains(tp, []byte(`fill="#ffffff" stroke=`)) {
		t.Error("throughput.svg: the lesson 1 point at 10 connections (1 of 10 served) is not drawn hollow")
	}
	if !bytes.Contains(mem, []byte("lesson04-&lt;poller&gt;")) {
		t.Error("memory.svg: names are not escaped")
	}
}

func TestNiceScales(t *testing.T) {
	for _, c := range []struct{ v, top, step float64 }{{87000, 100000, 20000}, {1, 1, 0.2}, {8100, 10000, 2000}, {130, 150, 25}} {
		top, step := niceMax(c.v)
		if top != c.top || step != c.step {
			t.Errorf("niceMax(%v) = %v, %v; want %v, %v", c.v, top, step, c.top, c.step)
		}
	}
}

func TestPlanRotatesServersAndSkipsOneAtATime(t *testing.T) {
	a, b, c := &ServerInfo{Name: "a"}, &ServerInfo{Name: "b"}, &ServerInfo{Name: "c", OneAtATime: true}
	plan := planRuns(compareConfig{Conns: []int{1, 10, 100}, Hold: 1000, Rounds: 3}, []*ServerInfo{a, b, c})
	first := map[int]string{}
	count := map[string]int{}
	for _, r := range plan {
		if _, ok := first[r.round]; !ok {
			first[r.round] = r.server.Name
		}
		count[r.server.Name]++
		if r.server == c && (r.point.Mode == "hold" || r.point.Conns == 100) {
			t.Errorf("round %d measures the one-at-a-time server at %s", r.round, r.point)
		}
	}
	if first[0] != "a" || first[1] != "b" || first[2] != "c" {
		t.Errorf("rounds start with %v; want a, b, c: the order rotates", first)
	}
	if count["a"] != 12 || count["b"] != 12 || count["c"] != 6 {
		t.Errorf("runs per server: %v; want a 12, b 12 (4 points x 3 rounds), c 6 (2 points x 3 rounds)", count)
	}
}

func TestMediansIgnoreOneBadRound(t *testing.T) {
	p := point{"pingpong", 10}
	runs := []Run{
		{Server: "s", Point: p, PingPong: &PingPongResult{Conns: 10, PerSec: 100, P99: 10, Served: 10}},
		{Server: "s", Point: p, PingPong: &PingPongResult{Conns: 10, PerSec: 5, P99: 900, Served: 10}},
		{Server: "s", Point: p, PingPong: &PingPongResult{Conns: 10, PerSec: 110, P99: 12, Served: 10, Errors: 1}},
		{Server: "s", Point: p, Error: "did not start"},
	}
	rows := medians(runs)
	if len(rows) != 1 {
		t.Fatalf("%d rows; want 1", len(rows))
	}
	got := rows[0]
	if got.PingPong.PerSec != 100 || got.PingPong.P99 != 12 || got.Runs != 3 || got.Errors != 2 {
		t.Fatalf("median row: %.0f msg/s, p99 %v, %d runs, %d errors; want 100, 12, 3 runs, 2 errors (one in a run, one failed run)",
			got.PingPong.PerSec, got.PingPong.P99, got.Runs, got.Errors)
	}
}

func TestReplaceSectionNeedsTheMarkers(t *testing.T) {
	if _, err := replaceSection([]byte("# no markers\n"), "x"); err == nil {
		t.Fatal("replaceSection on a file without markers returned no error")
	}
	got, err := replaceSection([]byte("a\n"+beginMarker+"\nold\n"+endMarker+"\nb\n"), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\n" + beginMarker + "\nnew\n" + endMarker + "\nb\n"; string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
