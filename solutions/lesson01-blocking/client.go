package blocking

import (
	"fmt"
	"io"
	"net"
	"time"
)

// Send connects to the echo server at address, writes message, half-closes
// the connection to say "that is all", and returns what the server sends back
// until it closes, at most len(message)+1 bytes: an echo is never longer than
// the message, and one byte more shows that it differs. Connecting, sending
// and receiving must all finish within timeout, one deadline for the lot;
// past it, Send returns an error that wraps os.ErrDeadlineExceeded.
//
// Step 3. One deadline; dial with it and set it on the connection; Write,
// CloseWrite, io.ReadAll through io.LimitReader. See README.md, "Step 3".
func Send(network, address string, message []byte, timeout time.Duration) ([]byte, error) {
	// One deadline for the dial and the conversation: a dial that takes most
	// of timeout leaves the rest only what is left, not a fresh timeout.
	deadline := time.Now().Add(timeout)
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.Dial(network, address)
	if err != nil {
		return nil, err // A refused connection ends here: nobody listens there.
	}
	defer conn.Close()
	// Without a deadline a silent server would block Read forever.
	if err := conn.SetDeadline(deadline); err != nil {
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
	// Read until the server closes: that is the end of the echo. The limit
	// keeps a server that never stops sending from filling our memory.
	return io.ReadAll(io.LimitReader(conn, int64(len(message))+1))
}
