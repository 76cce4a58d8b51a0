package hostile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// A case often has to know that the server has reached some state before
// it acts: that it has read the bytes a client sent, that it is idle, that
// it has run out of descriptors. No message tells a client any of that, so
// these helpers look at what Linux shows of the server in /proc, every few
// milliseconds, for a bounded time. A fixed sleep would be a guess: too
// short on a loaded machine, and a waste of time everywhere else.

// pollEvery is how often the helpers look again.
const pollEvery = 5 * time.Millisecond

// fixedWait is what waitRead falls back to where /proc/net/tcp cannot be
// read (any system but Linux): a guess, not an observation, long enough
// for loopback delivery and a read on a quiet machine.
const fixedWait = 500 * time.Millisecond

// waitRead waits until the server has read every byte written so far on
// conn, the client's end of a connection to it: the bytes have left the
// kernel's queues and are in the server's hands, so that a signal sent
// next finds them read. It gives up after bound, with an error saying
// what it saw last.
//
// The server's end of the connection is the socket whose local address is
// conn's remote address (the server's listening address) and whose remote
// address is conn's local address. Two readings of /proc/net/tcp, in this
// order, show the bytes read:
//
//  1. the client's end has no byte waiting for an acknowledgement
//     (tx_queue 0): every byte has reached the server's kernel;
//  2. then, in a later reading, the server's end has no byte waiting to be
//     read (rx_queue 0): the server has read them all.
//
// In one reading alone the second could be seen before the bytes arrive.
func waitRead(ctx context.Context, conn net.Conn, bound time.Duration) error {
	clientAddr, ok1 := conn.LocalAddr().(*net.TCPAddr)
	serverAddr, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return fmt.Errorf("waitRead needs a TCP connection, not %v -> %v", conn.LocalAddr(), conn.RemoteAddr())
	}
	client, server := clientAddr.AddrPort(), serverAddr.AddrPort()
	deadline := time.Now().Add(bound)
	arrived := false // reading 1 seen, in an earlier reading than this one
	for {
		table, err := procfs.TCPSockets()
		if errors.Is(err, fs.ErrNotExist) {
			sleep(ctx, fixedWait)
			return ctx.Err()
		}
		if err != nil {
			return err
		}
		serverEnd, found := table.Lookup(server, client)
		if arrived && found && serverEnd.RxQueue == 0 {
			return nil
		}
		clientEnd, clientFound := table.Lookup(client, server)
		arrived = clientFound && clientEnd.TxQueue == 0
		if time.Now().After(deadline) {
			switch {
			case !found:
				return fmt.Errorf("the server's end of the connection %v -> %v is not in /proc/net/tcp: has the server closed it?", client, server)
			case !arrived:
				return fmt.Errorf("%v later, %d bytes sent to the server were still not acknowledged by its kernel (tx_queue of %v -> %v)",
					bound, clientEnd.TxQueue, client, server)
			default:
				return fmt.Errorf("%v later, the server had still not read %d bytes the client sent (rx_queue of its end of %v -> %v): is it reading this connection?",
					bound, serverEnd.RxQueue, client, server)
			}
		}
		if !sleep(ctx, pollEvery) {
			return ctx.Err()
		}
	}
}

// waitIdle waits until none of the server's threads is running, that is,
// it has finished the work it was given and sleeps in its poller, up to
// bound. It reports whether it saw that; where there is no /proc it waits
// fixedWait and reports false. A server that spins is never seen idle:
// the caller measures it anyway, and the measurement says so.
func waitIdle(ctx context.Context, pid int, bound time.Duration) bool {
	deadline := time.Now().Add(bound)
	for {
		running, ok := procfs.RunningThreads(pid)
		if !ok {
			sleep(ctx, fixedWait)
			return false
		}
		if running == 0 {
			return true
		}
		if time.Now().After(deadline) || !sleep(ctx, pollEvery) {
			return false
		}
	}
}

// waitOpenFiles waits until the server holds at least n descriptors, up to
// bound, and returns how many it held last. Where there is no /proc it
// waits fixedWait and returns 0, false.
func waitOpenFiles(ctx context.Context, pid, n int, bound time.Duration) (held int, ok bool) {
	deadline := time.Now().Add(bound)
	for {
		held, ok := procfs.OpenFiles(pid)
		if !ok {
			sleep(ctx, fixedWait)
			return 0, false
		}
		if held >= n || time.Now().After(deadline) || !sleep(ctx, pollEvery) {
			return held, held >= n
		}
	}
}
