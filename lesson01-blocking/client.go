package blocking

import "time"

// Send connects to the echo server at address, writes message, half-closes
// the connection to say "that is all", and returns every byte the server sends
// back until it closes. Connecting, sending and receiving must all finish
// within timeout; past it, Send returns an error that wraps
// os.ErrDeadlineExceeded.
//
// Step 3. Dial, set a deadline, Write, CloseWrite, io.ReadAll. See README.md,
// "Step 3".
func Send(network, address string, message []byte, timeout time.Duration) ([]byte, error) {
	// TODO(step 3): dial with a timeout, set a deadline, write message,
	// half-close with CloseWrite, then read everything until EOF.
	return nil, notImplemented("step 3: Send")
}
