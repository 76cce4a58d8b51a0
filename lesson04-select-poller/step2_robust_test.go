//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Step 2, the corners.

func TestStep2_ClosingTwiceClosesNothingElse(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	require.NoError(t, ln.Close())
	// The kernel gives the lowest free number: this pipe is likely to get
	// the one the listener had.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	require.Errorf(t, ln.Close(), "a second Close of a Listener must return an error (net.ErrClosed): its descriptor is gone. (README.md, Step 2)")
	_, err = w.Write([]byte("still open"))
	require.NoErrorf(t, err, "a second Close of the Listener closed a pipe opened after the first: the kernel had reused the number. Close once, then mark the descriptor -1. (README.md, Step 2)")
}
