package partialio

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// BenchmarkEcho measures one 64-byte round trip through the line-echo Handle over a
// loopback connection, and what it allocates:
//
//	go test -bench Echo -benchmem
//
// Handle logs every line it receives, so expect a few allocations per
// message: fmt formats each log line. Lesson 4's loop gets this to zero.
func BenchmarkEcho(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("test setup: %v", err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatalf("test setup: %v", err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		b.Fatalf("test setup: %v", err)
	}
	handled := make(chan error, 1)
	go func() { handled <- Handle(server, DefaultMaxLine, io.Discard) }()

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
		case herr := <-handled:
			b.Fatalf("no echo (%v); Handle returned %v. See README.md, Step 4.", err, herr)
		default:
			b.Fatalf("no echo within %s: %v. See README.md, Step 4.", wait, err)
		}
	}
	client.SetDeadline(time.Now().Add(time.Minute))

	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(); err != nil {
			b.Fatalf("an echo failed during the benchmark: %v. (README.md, Step 4)", err)
		}
	}
	b.StopTimer()
	client.Close()
	select {
	case <-handled:
	case <-time.After(wait):
		b.Fatalf("the client closed and Handle had not returned %s later: return at io.EOF. (README.md, Step 4)", wait)
	}
}
