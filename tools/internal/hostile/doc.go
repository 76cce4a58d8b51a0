// Package hostile attacks the course's echo servers through their
// command-line contract, as a stranger on the network would: it builds a
// solution's cmd/server (and cmd/client), starts it with
// -addr 127.0.0.1:0, reads the "listening on HOST:PORT" line, and then
// sends what no polite client sends: over-long lines, odd bytes, one byte
// at a time, resets, thousands of connections, clients that never read,
// signals in the middle of it all.
//
// Each case is a plain Go function (see cases.go) that applies to the
// servers whose -h lists the flags it needs, is bounded in connections and
// time, and talks to loopback addresses only. Every server it starts runs
// in a process group of its own, killed when the case ends. A case that
// must know what the server has done before it acts (read the bytes a
// client sent, run out of descriptors, fallen idle) looks at the server in
// /proc (observe.go) instead of sleeping and hoping.
//
// The command is tools/hostile; tools/check runs the same suite against
// every solution.
package hostile
