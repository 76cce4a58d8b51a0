package blocking

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: Send is the client: dial, write, half-close, read to EOF.

// errSendPanicked marks a Send that panicked instead of returning.
var errSendPanicked = errors.New("Send panicked")

// send calls Send and waits for it a little longer than its own timeout, so a
// Send that ignores its timeout fails the test instead of hanging it.
func send(t *testing.T, network, address, message string, timeout time.Duration) ([]byte, error) {
	t.Helper()
	type result struct {
		echo []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		// A panic here would end the whole test run with no word about the
		// step; turn it into this test's failure instead.
		defer func() {
			if p := recover(); p != nil {
				ch <- result{nil, fmt.Errorf("%w: %v", errSendPanicked, p)}
			}
		}()
		echo, err := Send(network, address, []byte(message), timeout)
		ch <- result{echo, err}
	}()
	select {
	case r := <-ch:
		requireDone(t, 3, "Send", r.err)
		if errors.Is(r.err, errSendPanicked) && network != "tcp" {
			t.Fatalf("Send(%q, %q, ...) panicked: %v.\nOver a %q socket the connection is not a *net.TCPConn: half-close through the interface both TCP and Unix connections have, conn.(interface{ CloseWrite() error }). (README.md, Step 3)",
				network, address, r.err, network)
		}
		if errors.Is(r.err, errSendPanicked) {
			t.Fatalf("Send(%q, %q, ...) panicked: %v.\nDid it go on with the connection after Dial returned an error? Return that error at once. (README.md, Step 3)",
				network, address, r.err)
		}
		return r.echo, r.err
	case <-time.After(timeout + wait):
		t.Fatalf("Send(%q, %q, %q, %s) had not returned after %s: set a deadline on the connection (conn.SetDeadline) so that no Read or Write waits longer than timeout. (README.md, Step 3)",
			network, address, message, timeout, timeout+wait)
		return nil, nil
	}
}

func TestStep3_SendsAndReturnsTheEcho(t *testing.T) {
	peer := startPeer(t, echoPeer)
	echo, err := send(t, "tcp", peer.Addr().String(), "Hello, world", wait)
	require.NoErrorf(t, err,
		"Send to an echo server failed: %v. If this is a timeout: the server echoes until it reads EOF, and you read until it closes; half-close with CloseWrite after writing. (README.md, Step 3)", err)
	require.Truef(t, string(echo) == "Hello, world", "Send returned %s; it must return every byte the server sent back, read until EOF (io.ReadAll). (README.md, Step 3)", quote(echo))
}

func TestStep3_ReadsUntilTheServerCloses(t *testing.T) {
	// This server answers in two parts, a moment apart, as a busy server or
	// a slow network may: the echo is whatever arrives until it closes.
	peer := startPeer(t, func(conn net.Conn) {
		msg, err := io.ReadAll(conn)
		if err != nil || len(msg) < 2 {
			return
		}
		conn.Write(msg[:len(msg)/2])
		time.Sleep(300 * time.Millisecond) // Not to synchronise: to split the stream.
		conn.Write(msg[len(msg)/2:])
	})
	echo, err := send(t, "tcp", peer.Addr().String(), "first half, second half", wait)
	require.NoErrorf(t, err, "Send to a server that answers in two parts failed: %v. (README.md, Step 3)", err)
	require.Truef(t, string(echo) == "first half, second half",
		"the server sent the echo in two parts and closed; Send returned %s. One Read returns only what has arrived so far: read until EOF, with io.ReadAll. (README.md, Step 3)", quote(echo))
}

func TestStep3_HalfClosesSoTheServerSeesTheEnd(t *testing.T) {
	// This server answers only after it has read the whole message, as
	// many do: it needs the client to say "that is all".
	peer := startPeer(t, func(conn net.Conn) {
		if msg, err := io.ReadAll(conn); err == nil {
			conn.Write(msg)
		}
	})
	echo, err := send(t, "tcp", peer.Addr().String(), "over and out", wait)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Send timed out (%v): the server waits for the end of the message before it answers, and never saw it. After writing, half-close: conn.(interface{ CloseWrite() error }).CloseWrite(). (README.md, Step 3)", err)
	}
	if errors.Is(err, net.ErrClosed) {
		t.Fatalf("Send could not read the answer (%v): use CloseWrite, which shuts down sending only, not Close, which shuts both directions. (README.md, Step 3)", err)
	}
	require.NoErrorf(t, err, "Send to a server that answers after the end of the message failed: %v. (README.md, Step 3)", err)
	require.Truef(t, string(echo) == "over and out", "Send returned %s; it must return every byte the server sent back, read until EOF. (README.md, Step 3)", quote(echo))
}

func TestStep3_ReportsConnectionRefused(t *testing.T) {
	// Take a free port and close it again: nobody listens there now.
	ln := listenTCP(t)
	addr := ln.Addr().String()
	ln.Close()

	echo, err := send(t, "tcp", addr, "anyone there?", wait)
	require.Errorf(t, err, "Send to %s, where nothing listens, returned %s and no error: return the error from Dial. (README.md, Step 3)", addr, quote(echo))
	require.Truef(t, isConnRefused(err),
		"Send to %s, where nothing listens, returned %q; want an error that wraps ECONNREFUSED (errors.Is(err, syscall.ECONNREFUSED)). Return Dial's error as it is, or wrap it with %%w. (README.md, Step 3)", addr, err)
}

func TestStep3_GivesUpAfterTheTimeout(t *testing.T) {
	// This server reads and never answers, and never closes.
	peer := startPeer(t, func(conn net.Conn) {
		io.Copy(io.Discard, conn)
		<-t.Context().Done()
	})
	timeout := 300 * time.Millisecond
	began := time.Now()
	echo, err := send(t, "tcp", peer.Addr().String(), "hello?", timeout)
	require.Errorf(t, err, "Send to a server that never answers returned %s and no error after %s: return the error the deadline gives. (README.md, Step 3)", quote(echo), time.Since(began))
	if errors.Is(err, net.ErrClosed) {
		t.Fatalf("Send to a silent server returned %q: the connection was closed under the read. Half-close with CloseWrite, which shuts down sending only; Close shuts both directions. (README.md, Step 3)", err)
	}
	require.Truef(t, errors.Is(err, os.ErrDeadlineExceeded),
		"Send to a silent server returned %q; want an error that wraps os.ErrDeadlineExceeded, from the deadline set with conn.SetDeadline. (README.md, Step 3)", err)
}

func TestStep3_WorksOverAUnixSocket(t *testing.T) {
	ln := listenUnix(t)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(wait))
		io.Copy(conn, conn)
	}()
	echo, err := send(t, "unix", ln.Addr().String(), "local only", wait)
	require.NoErrorf(t, err,
		"Send over a Unix domain socket failed: %v. Pass the network through to Dial, and half-close through the interface both *net.TCPConn and *net.UnixConn satisfy: conn.(interface{ CloseWrite() error }). (README.md, Step 3)", err)
	require.Truef(t, string(echo) == "local only", "Send over a Unix domain socket returned %s. (README.md, Step 3)", quote(echo))
}
