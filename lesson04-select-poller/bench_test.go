//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// The benchmarks show the cost of one echoed message through the loop's
// own code (Select, serviceConn, read, frame, write) and that the steady
// state allocates nothing:
//
//	go test -bench Echo -benchmem
//
// (after the tests). The client and the loop take turns on the benchmark's goroutine, so the
// allocation count is the loop's alone.

func BenchmarkEcho(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) { benchmarkEcho(b, be, 1) })
	}
}

// BenchmarkEchoBatch sends 16 lines per write: one read, one frame, one
// write for all of them.
func BenchmarkEchoBatch(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) { benchmarkEcho(b, be, 16) })
	}
}

func benchmarkEcho(b *testing.B, be backend, lines int) {
	sel, err := be.new()
	if err != nil {
		b.Skipf("%s: %v", be.name, err)
	}
	l, err := newLoop(sel, Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	accepted, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	fd := dupFD(b, accepted)
	accepted.Close()
	if err := l.open(fd, client.LocalAddr().(*net.TCPAddr).AddrPort()); err != nil {
		b.Fatal(err)
	}

	msg := bytes.Repeat(append(bytes.Repeat([]byte("m"), 63), '\n'), lines) // 64-byte lines
	echo := make([]byte, len(msg))
	client.SetDeadline(time.Now().Add(time.Minute))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		// Serve until this connection has been through serviceConn.
		for served := false; !served; {
			n, err := l.sel.Select(l.ready, time.Second)
			if err != nil || n == 0 {
				b.Fatalf("Select: %d events, %v", n, err)
			}
			for _, ev := range l.ready[:n] {
				if ev.Data == roleConn {
					if err := l.serviceConn(ev.FD, ev.Events); err != nil {
						requireDone(b, 3, "serviceConn", err)
						b.Fatal(err)
					}
					served = true
				}
			}
		}
		if _, err := io.ReadFull(client, echo); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if !bytes.Equal(echo, msg) {
		b.Fatalf("echo %q, want %q", echo, msg)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

// dupFD returns a raw duplicate of conn's descriptor (see serverSide).
func dupFD(b *testing.B, conn net.Conn) int {
	rc, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		b.Fatal(err)
	}
	fd := -1
	rc.Control(func(s uintptr) { fd, err = dupNonblocking(int(s)) })
	if err != nil {
		b.Fatal(err)
	}
	return fd
}
