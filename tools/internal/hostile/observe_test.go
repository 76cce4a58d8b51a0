package hostile

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sockets-in-go/step-by-step/tools/internal/procfs"
)

// TestWaitReadSeesWhetherTheServerRead runs waitRead against a loopback
// server that reads nothing until told to: it must report the bytes
// unread, then return once the server has read them.
func TestWaitReadSeesWhetherTheServerRead(t *testing.T) {
	if _, err := procfs.TCPSockets(); errors.Is(err, fs.ErrNotExist) {
		t.Skip("no /proc/net/tcp here: waitRead falls back to a fixed wait")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(2 * time.Second))
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	c.Write([]byte("half"))
	err = waitRead(ctx, c, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "had still not read 4 bytes") {
		t.Fatalf("waitRead while the server has not read \"half\": %v; want an error saying 4 bytes are not read", err)
	}

	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(server, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := waitRead(ctx, c, 2*time.Second); err != nil {
		t.Fatalf("waitRead once the server has read \"half\": %v; want nil", err)
	}
	t.Logf("waitRead saw the bytes read in %v", time.Since(began))
}
