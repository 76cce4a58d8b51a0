package goroutines

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Step 2, the graceful-stop rule of docs/protocol.md: when the stop begins, a
// connection in the middle of a line may finish it; the server echoes every
// complete line it has read by then, then closes, and does not read again.

// stopMidLine starts a server, sends half a line on one connection, begins
// Shutdown once the server holds that half, and returns both.
func stopMidLine(t *testing.T) (*served, *client, *running) {
	t.Helper()
	requireShutdown(t)
	s := startServer(t, &Server{}, watchLines(listenTCP(t)))
	busy := dial(t, s.ln.Addr())
	busy.write(t, "half")
	require.Truef(t, s.serve.eventually(t, func() bool { return s.linesInFlight() == 1 }),
		"test setup: the server did not read the first half of the line within %s", wait)
	shut := s.shutdown(t, wait)
	require.Truef(t, s.serve.eventually(t, s.shuttingDown),
		"test setup: Shutdown had not begun %s after it was called", wait)
	return s, busy, shut
}

func TestStep2_EchoesTheLinesThatCameWithTheEndOfTheLineInFlight(t *testing.T) {
	_, busy, shut := stopMidLine(t)
	busy.write(t, " line\nextra1\nextra2\n")
	got, err := shut.read(t, busy.readToEOF)
	require.NoErrorf(t, err, "finishing its line during Shutdown, the client read %q, then %v", got, err)
	require.Equalf(t, "half line\nextra1\nextra2\n", got,
		"the line in flight was finished in the same write as two more lines: all three must come back, then EOF. (README.md, Step 2)")
	requireReturned(t, shut, wait, "The line in flight was echoed and the connection closed: Shutdown should be done.")
	require.NoError(t, shut.err, "every connection ended within the grace period: Shutdown must return nil")
}

func TestStep2_DoesNotReadAgainOnceTheLineInFlightEnds(t *testing.T) {
	_, busy, shut := stopMidLine(t)
	// The write that ends the line in flight also begins another one: the
	// server must not wait for that one to end.
	busy.write(t, " line\nextra1\nextra2\nand the start of one more")
	got, err := shut.read(t, busy.readToEOF)
	require.NoErrorf(t, err, "finishing its line during Shutdown, the client read %q, then %v", got, err)
	require.Equalf(t, "half line\nextra1\nextra2\n", got,
		"when the stop began the client was in the middle of a line; once that line ends, the complete lines read are echoed, and the connection closes. (README.md, Step 2)")
	requireReturned(t, shut, wait, "The line in flight was echoed: the connection should close without waiting for the next line.")
	require.NoErrorf(t, shut.err,
		"Shutdown waited for the grace period: after the line in flight ended, the server read on, waiting for another line to end. (README.md, Step 2)")
}
