//go:build race && (linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package poller

// raceEnabled reports whether the tests run with -race.
const raceEnabled = true
