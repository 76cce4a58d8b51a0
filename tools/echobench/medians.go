package main

import (
	"slices"
)

// medians folds the runs of each server at each point into one row of
// medians, in the order the points and servers first appear. The median of
// five rounds ignores two bad rounds (a busy moment on the machine) where
// the mean would not.
func medians(runs []Run) []Row {
	type key struct {
		server string
		point  point
	}
	var order []key
	groups := map[key][]Run{}
	for _, r := range runs {
		k := key{r.Server, r.Point}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var rows []Row
	for _, k := range order {
		row := Row{Server: k.server, Point: k.point}
		var pps []*PingPongResult
		var holds []*HoldResult
		for _, r := range groups[k] {
			switch {
			case r.Error != "":
				row.Errors++
			case r.PingPong != nil:
				pps = append(pps, r.PingPong)
				row.Errors += r.PingPong.Errors
			case r.Hold != nil:
				holds = append(holds, r.Hold)
				row.Errors += r.Hold.Errors
			}
		}
		if len(pps) > 0 {
			m := *pps[0]
			m.Addr, m.FirstError = "", ""
			m.Seconds = median(pps, func(r *PingPongResult) float64 { return r.Seconds })
			m.Messages = int64(median(pps, func(r *PingPongResult) float64 { return float64(r.Messages) }))
			m.PerSec = median(pps, func(r *PingPongResult) float64 { return r.PerSec })
			m.P50 = median(pps, func(r *PingPongResult) float64 { return r.P50 })
			m.P90 = median(pps, func(r *PingPongResult) float64 { return r.P90 })
			m.P99 = median(pps, func(r *PingPongResult) float64 { return r.P99 })
			m.Max = median(pps, func(r *PingPongResult) float64 { return r.Max })
			m.Served = int(median(pps, func(r *PingPongResult) float64 { return float64(r.Served) }))
			m.ServerCPU = median(pps, func(r *PingPongResult) float64 { return r.ServerCPU })
			m.Errors = row.Errors
			row.PingPong, row.Runs = &m, len(pps)
		}
		if len(holds) > 0 {
			m := *holds[0]
			m.Addr, m.FirstError = "", ""
			m.Seconds = median(holds, func(r *HoldResult) float64 { return r.Seconds })
			m.Held = int(median(holds, func(r *HoldResult) float64 { return float64(r.Held) }))
			m.Echoed = int(median(holds, func(r *HoldResult) float64 { return float64(r.Echoed) }))
			m.RSSBeforeKB = int64(median(holds, func(r *HoldResult) float64 { return float64(r.RSSBeforeKB) }))
			m.RSSAfterKB = int64(median(holds, func(r *HoldResult) float64 { return float64(r.RSSAfterKB) }))
			m.BytesPerConn = median(holds, func(r *HoldResult) float64 { return r.BytesPerConn })
			m.Threads = int64(median(holds, func(r *HoldResult) float64 { return float64(r.Threads) }))
			m.Errors = row.Errors
			row.Hold, row.Runs = &m, len(holds)
		}
		rows = append(rows, row)
	}
	return rows
}

// median returns the median of f over xs (the mean of the middle two for
// an even count).
func median[T any](xs []T, f func(T) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = f(x)
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}
