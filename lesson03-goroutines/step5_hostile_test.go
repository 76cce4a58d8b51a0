package goroutines

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 5: a client trusts the server for neither memory nor time.

func TestStep5_AServerThatNeverEndsItsLineCannotFillTheClient(t *testing.T) {
	// This server answers with bytes and never a "\n", as fast as it can.
	peer := startPeer(t, func(conn net.Conn) {
		junk := []byte(strings.Repeat("z", 64*1024))
		for {
			if _, err := conn.Write(junk); err != nil {
				return
			}
		}
	})
	const timeout = 2 * wait
	began := time.Now()
	_, err := sendMany(t, peer.Addr(), 1, []string{"ping"}, timeout)
	took := time.Since(began)
	require.Errorf(t, err, "the server's answer to \"ping\" never ended, yet SendMany returned no error")
	require.Lessf(t, took, timeout/2,
		"the echo of \"ping\" is 5 bytes, yet the client read on for %s, until its timeout: it must stop reading an echo that is longer than the line sent", took.Round(time.Millisecond))
	require.Lessf(t, len(err.Error()), 400,
		"the error quotes too much of what the server sent (%d bytes): quote a short prefix. It begins: %.200q", len(err.Error()), err.Error())
}
