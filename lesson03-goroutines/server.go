package goroutines

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrServerClosed is what Serve returns once Shutdown has begun, as
// net/http's Server.Serve does: the caller asked for the stop, it is no failure.
var ErrServerClosed = errors.New("server closed")

// Server is the line-echo server. Its zero value is ready to use; set the
// exported fields before calling Serve and leave them alone afterwards, since
// every connection's goroutine reads them.
type Server struct {
	MaxLine     int           // longest line accepted, in bytes, without its "\n"; 0 means DefaultMaxLine
	IdleTimeout time.Duration // close a client that sends nothing for this long; 0 means never
	Log         io.Writer     // connections and errors are logged here; nil means nowhere
	Verbose     bool          // also log every line received

	sleep func(time.Duration) // tests set it to see and skip Serve's pauses

	inShutdown atomic.Bool    // set once Shutdown has begun
	handlers   sync.WaitGroup // one per connection goroutine still running

	mu        sync.Mutex // guards the two maps
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
}

// Serve accepts connections on ln and serves each one in a goroutine of its
// own, so that every client is answered at once, however many there are.
// It logs "connection from ADDR" for each client, and logs the error that
// ends a conversation, if any: one client's error must never stop the
// server, so Serve never returns it. Serve returns ErrServerClosed once
// Shutdown has begun, nil if ln is closed by someone else, and any other
// Accept error that acceptDelay (step 4) says is not worth retrying.
//
// Step 1. Register ln with s.addListener (return ErrServerClosed if it says
// no) and defer s.removeListener(ln). Then loop: Accept; c := s.newConn(conn)
// (nil means Shutdown has begun); log; start a goroutine that runs c.serve(),
// logs its error and calls s.forget(c). See README.md, "Step 1".
func (s *Server) Serve(ln net.Listener) error {
	// TODO(step 1): register ln (s.addListener, defer s.removeListener);
	// loop: Accept; on error return ErrServerClosed if s.shuttingDown(), nil
	// if the listener is closed (net.ErrClosed), else ask acceptDelay; for
	// each connection: c := s.newConn(conn), log "connection from ADDR", and
	// go func() { defer s.forget(c); run c.serve() and log its error }().
	return notImplemented("step 1: Serve")
}
