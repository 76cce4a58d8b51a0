package hostile

import (
	"fmt"
	"strings"
	"time"
)

// Format turns a result into the line the report prints: the outcome, the
// server, the case, figures or the reason (a failure's reason indented on
// the lines below), and the time it took when that is worth knowing.
func Format(r Result) string {
	head := fmt.Sprintf("%-5s %-22s %s", r.Outcome, r.Server, r.Case)
	if r.Elapsed >= time.Second {
		head += fmt.Sprintf(" [%s]", r.Elapsed.Round(100*time.Millisecond))
	}
	switch {
	case r.Detail == "":
		return head
	case r.Outcome == Failed:
		return head + "\n      " + strings.ReplaceAll(strings.TrimRight(r.Detail, "\n"), "\n", "\n      ")
	default:
		return head + " (" + r.Detail + ")"
	}
}
