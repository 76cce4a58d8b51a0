package goroutines

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// BenchmarkEcho measures one 64-byte round trip through the server (one
// client, its own goroutine) over a loopback connection, and what it
// allocates:
//
//	go test -bench Echo -benchmem
//
// Without -v the server logs nothing per line, so the steady state should
// allocate little or nothing per message.
func BenchmarkEcho(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &Server{}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		// Stop the server and wait for its goroutines: goleak checks after
		// the benchmarks too.
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		srv.Shutdown(ctx)
		ln.Close()
		<-served
	}()

	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()

	msg := append(bytes.Repeat([]byte("x"), 63), '\n')
	echo := make([]byte, len(msg))
	roundTrip := func() error {
		if _, err := client.Write(msg); err != nil {
			return err
		}
		_, err := io.ReadFull(client, echo)
		return err
	}
	// One echo first, with a short deadline: an unfinished step fails here.
	client.SetDeadline(time.Now().Add(wait))
	if err := roundTrip(); err != nil {
		select {
		case serr := <-served:
			served <- serr // The deferred stop waits for it too.
			b.Fatalf("no echo (%v); Serve returned %v. See README.md, Step 1.", err, serr)
		default:
			b.Fatalf("no echo within %s: %v. See README.md, Step 1.", wait, err)
		}
	}
	client.SetDeadline(time.Now().Add(time.Minute))

	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(); err != nil {
			b.Fatal(err)
		}
	}
}
