// Package partialio is lesson 2: a byte stream has no messages, and a Read
// returns what is there, not what you asked for.
//
// The lesson builds the pieces every protocol over TCP needs: reading exactly
// n bytes, reading one line with a limit, and a length-prefixed frame codec.
// Then it turns lesson 1's raw echo server into a line-echo server that
// echoes each complete line as soon as it is complete, refuses a line that is
// too long with a clear error line (and a lingering close, so the error is
// not destroyed by a reset), and a client that reads while it writes, so that
// a large message cannot deadlock against full socket buffers.
//
// Work through the steps in README.md: each function names its step, and
// `go test -run Step1` (2, ... 6) checks one step at a time.
package partialio
