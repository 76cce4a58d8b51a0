// Package blocking is lesson 1: a TCP echo server and client built from
// blocking calls, one client at a time.
//
// The server listens (socket, bind and listen in one call), accepts a client,
// echoes every byte it sends until the client half-closes, then accepts the
// next one. The client dials, writes its message, half-closes and reads the
// echo until the server closes. Every call blocks the goroutine that makes it,
// which is what makes this code short, and what lessons 2 and 3 will outgrow.
//
// Work through the steps in README.md: each function names its step, and
// `go test -run Step1` (2, 3, 4) checks one step at a time.
package blocking
