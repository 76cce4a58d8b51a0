package blocking

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: a client trusts the server for neither memory nor time.

func TestStep3_StopsReadingPastTheMessagesLength(t *testing.T) {
	// This server answers with bytes as fast as it can, and never closes.
	peer := startPeer(t, func(conn net.Conn) {
		junk := []byte(strings.Repeat("z", 64*1024))
		for {
			if _, err := conn.Write(junk); err != nil {
				return
			}
		}
	})
	const message = "ping"
	timeout := 2 * wait
	began := time.Now()
	echo, err := send(t, "tcp", peer.Addr().String(), message, timeout)
	took := time.Since(began)
	require.Lessf(t, took, timeout/2,
		"the server sent far more than the %d bytes of the message, and Send read on for %s (%d bytes, then %v): read through io.LimitReader(conn, int64(len(message))+1). (README.md, Step 3)",
		len(message), took.Round(time.Millisecond), len(echo), err)
	require.NoError(t, err, "Send stopped at the limit: that is no error; the caller sees that the echo differs")
	require.LessOrEqualf(t, len(echo), len(message)+1,
		"Send returned %d bytes for a %d-byte message: read at most len(message)+1. (README.md, Step 3)", len(echo), len(message))
}
