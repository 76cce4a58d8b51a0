// Package poller is lesson 4: many sockets served by one goroutine, with no
// help from Go's runtime poller.
//
// Lesson 3 gave every connection its own goroutine and let conn.Read block.
// Here nothing blocks: sockets are raw, non-blocking file descriptors made
// with the same calls as Python's socket module (socket, setsockopt, bind,
// listen, accept4), and one loop asks the kernel which of them are ready
// (epoll on Linux, kqueue on macOS and the BSDs, poll(2) anywhere) through a
// Selector modelled on Python's selectors module. Each connection keeps its
// own state (connState: unfinished input, pending output, peer address), and
// the loop reads, frames lines and writes for whichever sockets are ready.
// This is what runtime/netpoll does underneath every goroutine of lesson 3.
//
// Work through the steps in README.md: each function names its step, and
// `go test -run Step1` (2, 3, 4, 5) checks one step at a time.
package poller
