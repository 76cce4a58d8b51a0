package procfs

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestLookupTCPSeesBytesThePeerHasNotRead opens a real loopback connection,
// writes bytes the other end has not read, and watches that end's receive
// queue fill, then empty once it reads them.
func TestLookupTCPSeesBytesThePeerHasNotRead(t *testing.T) {
	if _, err := TCPSockets(); errors.Is(err, fs.ErrNotExist) {
		t.Skip("no /proc/net/tcp here (Linux only)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(2 * time.Second))
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	// The server's end, as a program that holds only the client sees it.
	local := client.RemoteAddr().(*net.TCPAddr).AddrPort()
	remote := client.LocalAddr().(*net.TCPAddr).AddrPort()

	sent := []byte("not read yet")
	if _, err := client.Write(sent); err != nil {
		t.Fatal(err)
	}
	// Loopback delivers the bytes a moment after Write returns, not always
	// before: look until they are there, for at most 2s.
	var s TCPSocket
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
		var ok bool
		s, ok, err = LookupTCP(local, remote)
		if err != nil || !ok {
			t.Fatalf("LookupTCP(%v, %v) = ok %v, error %v; want the server's end of the connection", local, remote, ok, err)
		}
		if s.RxQueue == len(sent) || time.Now().After(deadline) {
			break
		}
	}
	if s.RxQueue != len(sent) || s.State != TCPEstablished {
		t.Fatalf("after the client wrote %d bytes the server has not read: rx_queue %d, state %d; want %d, %d (established)",
			len(sent), s.RxQueue, s.State, len(sent), TCPEstablished)
	}

	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(server, make([]byte, len(sent))); err != nil {
		t.Fatal(err)
	}
	s, ok, err := LookupTCP(local, remote)
	if err != nil || !ok || s.RxQueue != 0 {
		t.Fatalf("once the server read all %d bytes: LookupTCP = %+v, ok %v, error %v; want rx_queue 0", len(sent), s, ok, err)
	}
}

func TestParseTCPTableReadsAddressesAndQueues(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the sample lines are those of a little-endian machine")
	}
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:3039 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 101 1 0000000000000000 100 0 0 10 0
   1: 0100007F:3039 0100007F:D4A2 01 00000000:0000000C 00:00000000 00000000  1000        0 102 1 0000000000000000 20 4 30 10 -1
   2: 00000000000000000000000001000000:3039 00000000000000000000000001000000:D4A3 01 0000001A:00000000 00:00000000 00000000  1000 0 103 1 0000000000000000 20 4 30 10 -1
   3: 0000000000000000FFFF00000100007F:3039 0000000000000000FFFF00000100007F:D4A4 08 00000000:00000000 00:00000000 00000000  1000 0 104 1 0000000000000000 20 4 30 10 -1
`
	got, err := parseTCPTable(strings.NewReader(table), nil)
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort
	want := TCPTable{
		{Local: ap("127.0.0.1:12345"), Remote: ap("0.0.0.0:0"), State: TCPListen, RxQueue: 2},
		{Local: ap("127.0.0.1:12345"), Remote: ap("127.0.0.1:54434"), State: TCPEstablished, RxQueue: 12},
		{Local: ap("[::1]:12345"), Remote: ap("[::1]:54435"), State: TCPEstablished, TxQueue: 26},
		{Local: ap("127.0.0.1:12345"), Remote: ap("127.0.0.1:54436"), State: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("parsed %d sockets, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
