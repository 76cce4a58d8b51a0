package blocking

import (
	"fmt"
	"io"
	"net"
	"time"
)

// Send connects to the echo server at address, writes message, half-closes
// the connection to say "that is all", and returns every byte the server sends
// back until it closes. Connecting, sending and receiving must all finish
// within timeout; past it, Send returns an error that wraps
// os.ErrDeadlineExceeded.
//
// Step 3. Dial, set a deadline, Write, CloseWrite, io.ReadAll. See README.md,
// "Step 3".
func Send(network, address string, message []byte, timeout time.Duration) ([]byte, error) {
	conn, err := net.DialTimeout(network, address, timeout)
	if err != nil {
		return nil, err // A refused connection ends here: nobody listens there.
	}
	defer conn.Close()
	// Without a deadline a silent server would block Read forever.
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	// Go's Write sends every byte or returns an error (Python's send may not).
	if _, err := conn.Write(message); err != nil {
		return nil, err
	}
	// Half-close: shut down our sending side only. The server's Read then
	// returns io.EOF, while we can still read its reply. Both *net.TCPConn
	// and *net.UnixConn have CloseWrite.
	hc, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		return nil, fmt.Errorf("cannot half-close a %T", conn)
	}
	if err := hc.CloseWrite(); err != nil {
		return nil, err
	}
	return io.ReadAll(conn) // Reads until the server closes: that is the end of the echo.
}
