package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/course"
	"github.com/sockets-in-go/step-by-step/tools/internal/hostile"
)

// checkHostile attacks every solution's server (and client) through its
// command line with the hostile-peer suite, the servers side by side, and
// reports one check per solution. `go run ./tools/hostile` runs the same
// suite, one case at a time if asked (-case).
func (c *checker) checkHostile(ctx context.Context, lessons []course.Lesson) {
	var dirs []string
	titles := map[string]string{}
	for _, l := range lessons {
		if l.Solution != "" {
			dirs = append(dirs, l.Solution)
			titles[l.Name] = l.Title()
		}
	}
	if len(dirs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	results, err := hostile.Run(ctx, hostile.Config{Servers: dirs})
	byServer := map[string][]hostile.Result{}
	for _, r := range results {
		byServer[r.Server] = append(byServer[r.Server], r)
	}
	for _, l := range lessons {
		if l.Solution == "" {
			continue
		}
		name := "solution " + titles[l.Name] + ": hostile peers (go run ./tools/hostile -server solutions/" + l.Name + ")"
		var failed, skipped []string
		passed := 0
		for _, r := range byServer[l.Name] {
			switch r.Outcome {
			case hostile.Failed:
				failed = append(failed, hostile.Format(r))
			case hostile.Skipped:
				skipped = append(skipped, r.Case+": "+r.Detail)
			default:
				passed++
			}
		}
		switch {
		case len(failed) > 0:
			c.fail(name, "%d of %d cases failed:\n%s", len(failed), len(byServer[l.Name]), strings.Join(failed, "\n"))
		case err != nil:
			c.fail(name, "the suite stopped: %v", err)
		default:
			detail := fmt.Sprintf("%d cases", passed)
			if len(skipped) > 0 {
				detail += "; skipped " + strings.Join(skipped, "; ")
			}
			c.pass(name, detail)
		}
	}
}
