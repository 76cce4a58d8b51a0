package goroutines

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// Summary is what SendMany reports.
type Summary struct {
	Conns   int           // connections opened (or attempted)
	OK      int           // connections on which every echo matched
	Echoes  int           // echoes that matched, over all connections
	Elapsed time.Duration // from the first dial to the last close
}

func (s Summary) String() string {
	return fmt.Sprintf("%d of %d connections ok, %d echoes matched, in %s",
		s.OK, s.Conns, s.Echoes, s.Elapsed.Round(time.Millisecond))
}

// SendMany runs conns connections to address at once, each one a Send of
// every message, and checks that every echo matches its message. The first
// failure (a dial refused, an echo missing or different) cancels the others
// and is returned: a wrong echo means the server is broken, and there is no
// point in going on. The Summary counts what succeeded either way.
//
// Step 5. errgroup.WithContext, one g.Go per connection calling Send with the
// group's context, and g.Wait. Each goroutine records its result in its own
// element of a slice, so they share nothing else. See README.md, "Step 5".
func SendMany(ctx context.Context, address string, conns int, messages []string, timeout time.Duration) (Summary, error) {
	start := time.Now()
	g, ctx := errgroup.WithContext(ctx)
	// Connection i's goroutine writes only matched[i] and ok[i]: no lock needed.
	matched := make([]int, conns)
	ok := make([]bool, conns)
	for i := range conns {
		g.Go(func() error {
			echoes, err := Send(ctx, address, messages, timeout)
			for j, echo := range echoes {
				if echo != messages[j] {
					return fmt.Errorf("connection %d: sent %q, got back %q", i+1, messages[j], echo)
				}
				matched[i]++
			}
			if err != nil {
				return fmt.Errorf("connection %d: %w", i+1, err)
			}
			ok[i] = true
			return nil
		})
	}
	err := g.Wait() // Every goroutine has returned: reading matched is safe now.

	sum := Summary{Conns: conns, Elapsed: time.Since(start)}
	for i := range conns {
		sum.Echoes += matched[i]
		if ok[i] {
			sum.OK++
		}
	}
	return sum, err
}
