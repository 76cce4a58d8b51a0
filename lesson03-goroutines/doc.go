// Package goroutines is lesson 3: the line-echo server of lesson 2, serving
// many clients at once with a goroutine each, stopped gracefully, within
// limits; and a client that opens many connections at once.
//
// The server accepts in a loop and hands each connection to its own
// goroutine, logs what goes wrong with one client without stopping for the
// others, shuts down the way net/http's Server.Shutdown does (stop accepting,
// wake blocked readers, let lines in flight finish, force after a grace
// period), holds at most N clients at once, closes idle ones, and backs off
// when Accept fails for lack of file descriptors. The client runs N
// connections with errgroup.
//
// The line handling itself (lines.go) and the per-connection loop (conn.go)
// are given. Work through the steps in README.md: each function names its
// step, and `go test -run Step1` (2, 3, 4, 5) checks one step at a time.
package goroutines
