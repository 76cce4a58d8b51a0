package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// The charts are plain SVG written by hand: a fixed size with a viewBox,
// text in the generic sans-serif font, a white background (readable in
// GitHub's dark theme too), no scripts, no styles from elsewhere. GitHub
// shows such files as images.

// palette is the Okabe–Ito set of colours, told apart with colour blindness.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

// Lines that run close together (lessons 1 and 2 serve alike) must stay
// apart on the page: each server's line also has its own dash pattern, and
// its markers their own shape, sized so that one drawn over another leaves
// both visible (a square inside a circle, a diamond inside a square...).
var dashes = []string{"", "9 5", "2 4", "12 4 2 4"}

// markerShapes are drawn largest first in palette order, so a later, smaller
// marker on the same spot sits inside an earlier one.
var markerShapes = []string{"circle", "square", "diamond", "triangle"}

// marker draws series i's marker centred on (x, y).
func (d *svgDoc) marker(i int, x, y float64, fill, stroke string) {
	paint := fmt.Sprintf(`fill="%s" stroke="%s" stroke-width="2"`, fill, stroke)
	switch markerShapes[i%len(markerShapes)] {
	case "circle":
		fmt.Fprintf(&d.b, `<circle cx="%.1f" cy="%.1f" r="6.5" %s/>`+"\n", x, y, paint)
	case "square":
		fmt.Fprintf(&d.b, `<rect x="%.1f" y="%.1f" width="8" height="8" %s/>`+"\n", x-4, y-4, paint)
	case "diamond":
		fmt.Fprintf(&d.b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" %s/>`+"\n", x, y-6, x+6, y, x, y+6, x-6, y, paint)
	default:
		fmt.Fprintf(&d.b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" %s/>`+"\n", x, y-6, x+5.5, y+4, x-5.5, y+4, paint)
	}
}

// dash is series i's stroke-dasharray attribute, empty for a solid line.
func dash(i int) string {
	if p := dashes[i%len(dashes)]; p != "" {
		return fmt.Sprintf(` stroke-dasharray="%s"`, p)
	}
	return ""
}

// svgDoc accumulates one SVG document.
type svgDoc struct {
	b    bytes.Buffer
	w, h int
}

func newSVG(w, h int, title string) *svgDoc {
	d := &svgDoc{w: w, h: h}
	fmt.Fprintf(&d.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n", w, h, w, h)
	fmt.Fprintf(&d.b, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&d.b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	return d
}

// text writes s at (x, y); attrs are more attributes, each with a leading
// space, such as ` font-weight="bold"`. Text is dark grey unless attrs
// gives another fill.
func (d *svgDoc) text(x, y float64, anchor, attrs, s string) {
	if !strings.Contains(attrs, "fill=") {
		attrs += ` fill="#222222"`
	}
	fmt.Fprintf(&d.b, `<text x="%.1f" y="%.1f" text-anchor="%s"%s>%s</text>`+"\n", x, y, anchor, attrs, esc(s))
}

func (d *svgDoc) line(x1, y1, x2, y2 float64, stroke string, width float64) {
	fmt.Fprintf(&d.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"/>`+"\n", x1, y1, x2, y2, stroke, width)
}

func (d *svgDoc) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&d.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, y, w, h, fill)
}

func (d *svgDoc) bytes() []byte {
	d.b.WriteString("</svg>\n")
	return d.b.Bytes()
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten, and returns it
// with a tick step that divides it into 4 or 5 parts.
func niceMax(v float64) (top, step float64) {
	if v <= 0 {
		return 1, 0.25
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			top = m * p
			break
		}
	}
	for _, parts := range []float64{5, 4, 6, 3} {
		s := top / parts
		// A step whose label is short: 1, 2, 2.5 or 5 times a power of ten.
		q := s / math.Pow(10, math.Floor(math.Log10(s)))
		if math.Abs(q-1) < 1e-9 || math.Abs(q-2) < 1e-9 || math.Abs(q-2.5) < 1e-9 || math.Abs(q-5) < 1e-9 {
			return top, s
		}
	}
	return top, top / 4
}

// roundsText is "median of 3 rounds", or "1 round".
func roundsText(n int) string {
	if n == 1 {
		return "1 round"
	}
	return fmt.Sprintf("median of %d rounds", n)
}

// throughputChart draws messages per second against the number of
// connections, one line per server.
func throughputChart(r *CompareReport) []byte {
	return connectionsChart(r, lineChart{
		title:    "Echo throughput by number of connections",
		subtitle: fmt.Sprintf("ping-pong, %d-byte lines, %s; higher is better", r.Settings.Size, roundsText(r.Settings.Rounds)),
		yLabel:   "messages per second",
		value:    func(pp *PingPongResult) float64 { return pp.PerSec },
		format:   si,
	})
}

// latencyChart draws the 99th percentile of the round-trip time against
// the number of connections, on logarithmic scales.
func latencyChart(r *CompareReport) []byte {
	return connectionsChart(r, lineChart{
		title:    "Round-trip latency (p99) by number of connections",
		subtitle: fmt.Sprintf("99 in 100 round trips took at most this long; %s; lower is better", roundsText(r.Settings.Rounds)),
		yLabel:   "p99 round trip (logarithmic scale)",
		value:    func(pp *PingPongResult) float64 { return pp.P99 },
		// Ticks fall on powers of ten: "1ms" reads better than "1.0ms".
		format: func(us float64) string { return strings.Replace(latency(us), ".0", "", 1) },
		logY:   true,
	})
}

// lineChart says what a connectionsChart shows.
type lineChart struct {
	title, subtitle, yLabel string
	value                   func(*PingPongResult) float64
	format                  func(float64) string // tick labels
	logY                    bool
}

// connectionsChart draws one value of the ping-pong results against the
// number of connections (logarithmic), one line per server. A hollow
// marker means that not every connection was served during the run.
func connectionsChart(r *CompareReport, c lineChart) []byte {
	const w, h = 760, 440
	const left, right, top, bottom = 80.0, 210.0, 70.0, 60.0
	d := newSVG(w, h, c.title)
	d.text(left, 28, "start", ` font-size="18" font-weight="bold"`, c.title)
	d.text(left, 50, "start", ` fill="#555555"`, c.subtitle)

	type pt struct {
		conns  int
		v      float64
		hollow bool
	}
	onlyOne := true // every hollow point had exactly one connection served
	series := map[string][]pt{}
	var names []string
	minC, maxC, minY, maxY := math.MaxInt, 1, math.Inf(1), 0.0
	for _, row := range r.Rows {
		pp := row.PingPong
		if pp == nil || c.value(pp) <= 0 {
			continue
		}
		if _, ok := series[row.Server]; !ok {
			names = append(names, row.Server)
		}
		v := c.value(pp)
		series[row.Server] = append(series[row.Server], pt{pp.Conns, v, pp.Served < pp.Conns})
		if pp.Served < pp.Conns && pp.Served != 1 {
			onlyOne = false
		}
		minC, maxC = min(minC, pp.Conns), max(maxC, pp.Conns)
		minY, maxY = min(minY, v), max(maxY, v)
	}
	if len(names) == 0 {
		d.text(w/2, h/2, "middle", "", "no ping-pong results")
		return d.bytes()
	}
	plotW, plotH := w-left-right, h-top-bottom
	lo, hi := math.Log10(float64(minC)), math.Log10(float64(maxC))
	if hi-lo < 1 {
		hi = lo + 1
	}
	lo, hi = lo-0.15, hi+0.15
	x := func(c int) float64 { return left + (math.Log10(float64(c))-lo)/(hi-lo)*plotW }

	// The y axis: linear from 0 with round ticks, or logarithmic from the
	// power of ten below the smallest value to the one above the largest.
	var y func(float64) float64
	var yTicks []float64
	if c.logY {
		ylo, yhi := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
		if yhi == ylo {
			yhi++
		}
		y = func(v float64) float64 { return top + plotH - (math.Log10(v)-ylo)/(yhi-ylo)*plotH }
		for e := ylo; e <= yhi; e++ {
			yTicks = append(yTicks, math.Pow(10, e))
		}
	} else {
		yTop, yStep := niceMax(maxY * 1.05)
		y = func(v float64) float64 { return top + plotH - v/yTop*plotH }
		for v := 0.0; v <= yTop+yStep/2; v += yStep {
			yTicks = append(yTicks, v)
		}
	}
	for _, v := range yTicks {
		d.line(left, y(v), left+plotW, y(v), "#e5e5e5", 1)
		label := c.format(v)
		if v == 0 {
			label = "0"
		}
		d.text(left-8, y(v)+4, "end", "", label)
	}
	ticks := map[int]bool{}
	for _, pts := range series {
		for _, p := range pts {
			ticks[p.conns] = true
		}
	}
	for n := range ticks {
		d.line(x(n), top+plotH, x(n), top+plotH+5, "#222222", 1)
		d.text(x(n), top+plotH+20, "middle", "", thousands(float64(n)))
	}
	d.line(left, top+plotH, left+plotW, top+plotH, "#222222", 1)
	d.line(left, top, left, top+plotH, "#222222", 1)
	d.text(left+plotW/2, h-14, "middle", "", "connections (logarithmic scale)")
	fmt.Fprintf(&d.b, `<text transform="translate(20 %.1f) rotate(-90)" text-anchor="middle" fill="#222222">%s</text>`+"\n", top+plotH/2, esc(c.yLabel))

	// Every server's line, then every marker on top, so that no line hides
	// a marker; then the legend, each entry with its line and marker.
	anyHollow := false
	for i, name := range names {
		var path []string
		for _, p := range series[name] {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(p.conns), y(p.v)))
		}
		fmt.Fprintf(&d.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`+"\n", strings.Join(path, " "), palette[i%len(palette)], dash(i))
	}
	for i, name := range names {
		color := palette[i%len(palette)]
		for _, p := range series[name] {
			fill := color
			if p.hollow {
				fill, anyHollow = "#ffffff", true
			}
			d.marker(i, x(p.conns), y(p.v), fill, color)
		}
	}
	for i, name := range names {
		color := palette[i%len(palette)]
		ly := top + 10 + float64(i)*24
		fmt.Fprintf(&d.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5"%s/>`+"\n", left+plotW+14, ly, left+plotW+50, ly, color, dash(i))
		d.marker(i, left+plotW+32, ly, color, color)
		d.text(left+plotW+58, ly+4, "start", "", name)
	}
	if anyHollow {
		ly := top + 10 + float64(len(names))*24 + 10
		fmt.Fprintf(&d.b, `<circle cx="%.1f" cy="%.1f" r="5" fill="#ffffff" stroke="#222222" stroke-width="2"/>`+"\n", left+plotW+32, ly)
		first, second := "only 1 connection", "served, the rest wait"
		if !onlyOne {
			first, second = "not every connection", "was served"
		}
		d.text(left+plotW+58, ly+4, "start", ` font-size="12"`, first)
		d.text(left+plotW+58, ly+20, "start", ` font-size="12"`, second)
	}
	return d.bytes()
}

// memoryChart draws the server's memory per held connection as one bar per
// server; servers that were not measured say why.
func memoryChart(r *CompareReport) []byte {
	const w = 760
	const left, right, top = 210.0, 110.0, 80.0
	const barH, gap = 26.0, 14.0
	n := len(r.Servers)
	h := int(top + float64(n)*(barH+gap) + 50)
	d := newSVG(w, h, "Server memory per held connection")
	d.text(20, 28, "start", ` font-size="18" font-weight="bold"`, "Server memory per held connection")
	d.text(20, 50, "start", ` fill="#555555"`, fmt.Sprintf("%s idle connections, growth of the server's RSS divided by connections; lower is better",
		thousands(float64(r.Settings.HoldConn))))

	perConn := map[string]float64{}
	maxV := 0.0
	for _, row := range r.Rows {
		if row.Hold != nil && row.Hold.BytesPerConn >= 0 {
			perConn[row.Server] = row.Hold.BytesPerConn
			maxV = max(maxV, row.Hold.BytesPerConn)
		}
	}
	plotW := w - left - right
	// Ticks at round numbers of bytes, or of KiB once values pass 2 KiB.
	unit := 1.0
	if maxV >= 2048 {
		unit = 1024
	}
	xTop, xStep := niceMax(maxV * 1.05 / unit)
	xTop, xStep = xTop*unit, xStep*unit
	x := func(v float64) float64 { return left + v/xTop*plotW }
	bottom := top + float64(n)*(barH+gap)
	if maxV > 0 {
		for v := 0.0; v <= xTop+xStep/2; v += xStep {
			d.line(x(v), top-8, x(v), bottom, "#e5e5e5", 1)
			d.text(x(v), bottom+18, "middle", ` font-size="12"`, bytesPerConn(v))
		}
	}
	for i, s := range r.Servers {
		yy := top + float64(i)*(barH+gap)
		d.text(left-10, yy+barH/2+5, "end", "", s.Name)
		v, ok := perConn[s.Name]
		switch {
		case ok:
			d.rect(left, yy, math.Max(1, x(v)-left), barH, palette[i%len(palette)])
			d.text(x(v)+8, yy+barH/2+5, "start", ` font-weight="bold"`, bytesPerConn(v))
		case s.Skipped != "":
			d.text(left+8, yy+barH/2+5, "start", ` fill="#777777"`, "not measured: it did not build or start")
		case s.OneAtATime:
			d.text(left+8, yy+barH/2+5, "start", ` fill="#777777"`, "not measured: serves one client at a time")
		default:
			d.text(left+8, yy+barH/2+5, "start", ` fill="#777777"`, "no result (see the table)")
		}
	}
	d.line(left, top-8, left, bottom, "#222222", 1)
	return d.bytes()
}
