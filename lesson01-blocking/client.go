package blocking

import "time"

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
	// TODO(step 3): compute one deadline; dial with it (net.Dialer) and set
	// it on the connection; write message; half-close with CloseWrite; then
	// read until EOF, at most len(message)+1 bytes (io.LimitReader).
	return nil, notImplemented("step 3: Send")
}
