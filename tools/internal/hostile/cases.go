package hostile

import "time"

// Cases is the suite, in the order it runs against each server. A case
// applies to a server whose -h lists every flag in Needs: lesson 1's raw
// echo gets the byte-level cases and the connect storm; lesson 2 (lines,
// one client at a time) the line contract too; lessons 3 and 4 everything.
// Failures an attack run once found in the finished servers each have a
// case: a blocked write that outlived -idle-timeout (idle-timeout-unread),
// clients that trusted the server for memory and time
// (client-endless-server), unchecked flags (bad-flags, grace-zero,
// client-bad-input), a second signal ignored (second-signal), the stop
// rule (stop-rule), a log that stopped the server (unread-log), a message
// holding a newline (client-bad-input).
var Cases = []Case{
	// The line contract, byte by byte (docs/protocol.md, rules 1 to 5).
	{Name: "odd-bytes", Run: oddBytes,
		Doc: `"\r", NUL and invalid UTF-8 come back byte for byte`},
	{Name: "one-byte-writes", Run: oneByteWrites,
		Doc: "a line sent one byte per write comes back once, whole, when its newline arrives"},
	{Name: "half-close-remainder", Run: halfCloseRemainder,
		Doc: "after a half-close, the unterminated rest comes back, then EOF"},
	{Name: "max-line-exact", Needs: []Need{Lines}, Run: maxLineExact,
		Doc: "-max-line 16: a 16-byte line is echoed; 17 bytes get the error line, then EOF"},
	{Name: "over-long-while-sending", Needs: []Need{Lines}, Run: overLongWhileSending,
		Doc: "a client that never stops sending still reads the error line (lingering close)"},
	{Name: "reset-mid-line", Run: resetMidLine,
		Doc: "20 clients reset in the middle of a line; the next client is served"},

	// Many clients, slow clients, clients that never read.
	{Name: "never-reading-300", Needs: []Need{Concurrent}, Run: neverReading, Limit: 40 * time.Second,
		Doc: "300 clients send and never read: server memory bounded, others still served"},
	{Name: "slow-sender", Needs: []Need{Concurrent}, Run: slowSender,
		Doc: "1 byte a second against -idle-timeout 2s: served, not cut off; closed once silent"},
	{Name: "idle-timeout-unread", Needs: []Need{Concurrent}, Run: idleTimeoutUnread, Limit: 30 * time.Second,
		Doc: "-idle-timeout 2s -max-conns 1: a client that never reads loses its slot; the next is served"},
	{Name: "max-conns-100", Needs: []Need{Concurrent}, Run: maxConns100, Limit: 40 * time.Second,
		Doc: "-max-conns 100: exactly 100 of 150 served at once, the rest later; then 2,000 more"},
	{Name: "connect-storm", Run: connectStorm, Limit: 60 * time.Second,
		Doc: "20,000 connects, each closed at once (half of them with a reset); then a client is served"},
	{Name: "fd-limit-64", Needs: []Need{Concurrent, Linux}, Run: fdLimit, Limit: 60 * time.Second,
		Doc: "ulimit -n 64 and 300 clients: the server backs off without spinning, and serves all later"},
	{Name: "idle-1000", Needs: []Need{Concurrent, Linux}, Run: idle1000, Limit: 40 * time.Second,
		Doc: "1,000 idle connections cost the server no CPU"},
	{Name: "unread-log", Needs: []Need{Concurrent}, Run: unreadLog, Limit: 30 * time.Second,
		Doc: "-v with a standard output nobody reads: every client is still served"},

	// Stopping.
	{Name: "stop-under-load", Needs: []Need{Concurrent}, Run: stopUnderLoad, Limit: 30 * time.Second,
		Doc: "SIGTERM during load and with never-reading clients: exit 0 within -grace, echoes in order"},
	{Name: "stop-rule", Needs: []Need{Concurrent}, Run: stopRule,
		Doc: "SIGTERM: idle clients closed at once; a half line may finish, with lines read with it; nothing later"},
	{Name: "second-signal", Needs: []Need{Concurrent}, Run: secondSignal,
		Doc: "a second SIGTERM during the grace period exits at once, with status 1"},
	{Name: "grace-zero", Needs: []Need{Concurrent}, Run: graceZero,
		Doc: "-grace 0: SIGTERM closes every connection and exits 0 at once"},

	// Command lines.
	{Name: "bad-flags", Needs: []Need{Lines}, Run: badFlags,
		Doc: "nonsense flag values: exit status 2 and a one-line error, no listening"},
	{Name: "client-bad-input", Needs: []Need{Lines, Client}, Run: clientBadInput,
		Doc: "the client rejects -conns below 1 and a message holding a newline"},
	{Name: "client-endless-server", Needs: []Need{Client}, Run: clientEndlessServer,
		Doc: "a server that streams bytes with no newline: the client stops at -timeout, small memory, short error"},
}
