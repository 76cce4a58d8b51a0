//go:build linux

package poller

import (
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// newSocket is socket(family, SOCK_STREAM): a TCP socket, created
// non-blocking and close-on-exec in one call, as Linux allows.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	return fd, os.NewSyscallError("socket", err)
}

// peerBuffer is where accept4 writes the client's address: one per
// listener, reused for every connection.
type peerBuffer struct {
	addr unix.RawSockaddrAny
	len  uint32
}

// acceptNonblocking is accept4: the new connection comes out non-blocking and
// close-on-exec, without two more system calls. With nobody waiting it fails
// at once with EAGAIN instead of blocking.
//
// It makes the system call itself, into buf, rather than call unix.Accept4,
// which allocates a fresh address for every connection: garbage that a
// server holding ten thousand connections would feel.
func acceptNonblocking(fd int, buf *peerBuffer) (int, netip.AddrPort, error) {
	buf.len = unix.SizeofSockaddrAny
	nfd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd),
		uintptr(unsafe.Pointer(&buf.addr)), uintptr(unsafe.Pointer(&buf.len)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, netip.AddrPort{}, errno
	}
	return int(nfd), buf.addrPort(), nil
}

// addrPort decodes the address accept4 wrote. Ports are in network byte
// order (big-endian) in a sockaddr.
func (buf *peerBuffer) addrPort() netip.AddrPort {
	switch buf.addr.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&buf.addr))
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(port[0])<<8|uint16(port[1]))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&buf.addr))
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(port[0])<<8|uint16(port[1]))
	}
	return netip.AddrPort{}
}
