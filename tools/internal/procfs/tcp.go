package procfs

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// TCPSocket is one TCP socket as Linux lists it in /proc/net/tcp (IPv4) or
// /proc/net/tcp6 (IPv6): every socket of the network namespace, whichever
// process owns it, so a program can look at its peer's end of a connection.
type TCPSocket struct {
	Local, Remote netip.AddrPort // IPv4-mapped IPv6 addresses are unmapped
	State         int            // the kernel's TCP state: 1 established, 6 time-wait, 10 listen, ...
	// TxQueue counts the bytes written on this socket that the peer has
	// not acknowledged yet (on a listening socket: its backlog limit).
	TxQueue int
	// RxQueue counts the bytes that have arrived on this socket and that
	// its owner has not read yet: 0 means every byte that arrived was read
	// (on a listening socket: connections waiting to be accepted).
	RxQueue int
}

// TCP states, from include/net/tcp_states.h.
const (
	TCPEstablished = 1
	TCPTimeWait    = 6
	TCPListen      = 10
)

// tcpTables are the files that list TCP sockets; the IPv6 one is missing
// when IPv6 is disabled.
var tcpTables = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// TCPTable is every TCP socket of the network namespace at one moment.
type TCPTable []TCPSocket

// TCPSockets reads every TCP socket of this network namespace. The error
// wraps fs.ErrNotExist where there is no /proc/net/tcp (any system but Linux).
func TCPSockets() (TCPTable, error) {
	var all TCPTable
	for i, path := range tcpTables {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) && i > 0 {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		all, err = parseTCPTable(f, all)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return all, nil
}

// Lookup returns the socket whose local and remote addresses are local and
// remote: one end of one connection. ok is false if there is none (the
// connection is closed, or belongs to another network namespace). A
// time-wait socket is a connection that has ended, and is never returned.
func (t TCPTable) Lookup(local, remote netip.AddrPort) (s TCPSocket, ok bool) {
	local, remote = unmap(local), unmap(remote)
	for _, s := range t {
		if s.Local == local && s.Remote == remote && s.State != TCPTimeWait {
			return s, true
		}
	}
	return TCPSocket{}, false
}

// LookupTCP reads the table and looks up one end of a connection in it.
func LookupTCP(local, remote netip.AddrPort) (s TCPSocket, ok bool, err error) {
	all, err := TCPSockets()
	if err != nil {
		return TCPSocket{}, false, err
	}
	s, ok = all.Lookup(local, remote)
	return s, ok, nil
}

// parseTCPTable appends the sockets listed in one /proc/net/tcp* file to
// all. Each line after the header reads (IPv4; IPv6 has 32 hex digits):
//
//	sl  local_address rem_address   st tx_queue rx_queue tr ...
//	 0: 0100007F:3039 0100007F:D4A2 01 00000000:00000004 00:00000000 ...
//
// Addresses and queues are hexadecimal; here 127.0.0.1:12345, connected to
// 127.0.0.1:54434, established, 4 bytes received and not read yet.
func parseTCPTable(r io.Reader, all TCPTable) (TCPTable, error) {
	sc := bufio.NewScanner(r)
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		var s TCPSocket
		var err error
		if s.Local, err = parseHexAddrPort(f[1]); err != nil {
			return all, err
		}
		if s.Remote, err = parseHexAddrPort(f[2]); err != nil {
			return all, err
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return all, fmt.Errorf("state %q: %v", f[3], err)
		}
		s.State = int(st)
		tx, rx, found := strings.Cut(f[4], ":")
		if !found {
			return all, fmt.Errorf("tx_queue:rx_queue %q has no colon", f[4])
		}
		txq, err1 := strconv.ParseUint(tx, 16, 32)
		rxq, err2 := strconv.ParseUint(rx, 16, 32)
		if err1 != nil || err2 != nil {
			return all, fmt.Errorf("tx_queue:rx_queue %q is not two hexadecimal numbers", f[4])
		}
		s.TxQueue, s.RxQueue = int(txq), int(rxq)
		all = append(all, s)
	}
	return all, sc.Err()
}

// parseHexAddrPort reads an address as the kernel prints it: the IP as
// 32-bit words, each printed as a number in the machine's own byte order
// (127.0.0.1 is 0100007F on a little-endian machine), then a colon and the
// port, an ordinary number.
func parseHexAddrPort(s string) (netip.AddrPort, error) {
	ipHex, portHex, found := strings.Cut(s, ":")
	raw, err := hex.DecodeString(ipHex)
	if !found || err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("address %q is not HEXIP:HEXPORT", s)
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: port: %v", s, err)
	}
	// hex.DecodeString gave the digits' bytes in print order, that is
	// each word big-endian: lay each word out in the machine's order.
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	ip, _ := netip.AddrFromSlice(raw)
	return unmap(netip.AddrPortFrom(ip, uint16(port))), nil
}

// unmap turns ::ffff:127.0.0.1 (an IPv4 peer of an IPv6 socket) into
// 127.0.0.1, so that one address compares equal however it was listed.
func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
