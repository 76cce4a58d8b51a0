//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// listenBacklog is how many finished handshakes the kernel queues for us
// before we accept them. The kernel caps it (net.core.somaxconn on Linux).
const listenBacklog = 4096

// A Listener is a raw, non-blocking listening socket: a file descriptor and
// the address the kernel bound it to.
type Listener struct {
	fd   int
	addr netip.AddrPort
	peer peerBuffer // where accept writes each client's address
}

// FD returns the listening socket's file descriptor, to register with a
// Selector; -1 once the listener is closed.
func (ln *Listener) FD() int { return ln.fd }

// Addr returns the address the socket is bound to (with the real port when
// port 0 was asked for).
func (ln *Listener) Addr() netip.AddrPort { return ln.addr }

// Close closes the listening socket. Clients that dial after it are refused.
// It closes once: the descriptor is marked -1, and a second Close returns
// net.ErrClosed. Closing the number again would be a bug waiting for its
// moment: the kernel hands a freed number to the next file opened, and that
// file (another client's socket, a pipe) would be the one closed.
func (ln *Listener) Close() error {
	if ln.fd < 0 {
		return net.ErrClosed
	}
	err := unix.Close(ln.fd)
	ln.fd = -1
	return os.NewSyscallError("close", err)
}

// Listen opens a non-blocking TCP listening socket on address ("host:port";
// port 0 picks a free one), with the calls Python's socket module makes:
//
//	sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
//	sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
//	sock.bind((host, port))
//	sock.listen()
//	sock.setblocking(False)
//
// Step 2. newSocket (socket_linux.go or socket_bsd.go) already makes the
// socket non-blocking; then SetsockoptInt, Bind, Listen, and Getsockname to
// learn the port. Close the socket if any call fails. See README.md, "Step 2".
func Listen(address string) (*Listener, error) {
	// TODO(step 2): socket, setsockopt(SO_REUSEADDR), bind, listen, getsockname.
	return nil, notImplemented("step 2: Listen")
}

// Accept takes one connection from the backlog and returns its non-blocking
// descriptor and the client's address. When nobody is waiting it does not
// block: it returns an error that wraps unix.EAGAIN. Call it until then each
// time the listener is readable.
//
// Step 2. acceptNonblocking (socket_linux.go or socket_bsd.go) is accept4, or
// accept and fcntl. Return unix.EAGAIN as it is; wrap other errors with
// os.NewSyscallError("accept", err). See README.md, "Step 2".
func (ln *Listener) Accept() (int, netip.AddrPort, error) {
	// TODO(step 2): one non-blocking accept; EAGAIN when nobody waits.
	return -1, netip.AddrPort{}, notImplemented("step 2: Accept")
}

// resolve turns "host:port" into an address: "127.0.0.1:0" and "[::1]:0"
// directly, names such as "localhost:12345" through the resolver.
func resolve(address string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(address); err == nil {
		return ap, nil
	}
	tcp, err := net.ResolveTCPAddr("tcp", address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := tcp.AddrPort()
	if !ap.Addr().IsValid() { // ":12345" means every interface.
		ap = netip.AddrPortFrom(netip.IPv4Unspecified(), ap.Port())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// family is AF_INET for IPv4 addresses and AF_INET6 for IPv6.
func family(ap netip.AddrPort) int {
	if ap.Addr().Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// toSockaddr is what bind and connect take: Python's (host, port) tuple.
func toSockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// fromSockaddr is the other way, for what accept and getsockname return.
func fromSockaddr(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	return netip.AddrPort{}
}
