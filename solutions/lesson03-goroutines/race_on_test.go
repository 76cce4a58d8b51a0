//go:build race

package goroutines

// raceEnabled reports whether the tests run with -race.
const raceEnabled = true
