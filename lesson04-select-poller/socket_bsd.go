//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newSocket is socket(family, SOCK_STREAM), then fcntl to make it
// non-blocking and close-on-exec. macOS has no SOCK_NONBLOCK or SOCK_CLOEXEC
// flags for socket(); the BSDs do, but one way for all five keeps the file
// short, and this is how Go's own package net does it on macOS.
func newSocket(family int) (int, error) {
	// Hold ForkLock between socket and close-on-exec, as package net does,
	// so that a fork in between cannot leak the descriptor into a child.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// peerBuffer would hold the client's address; unix.Accept returns its own.
type peerBuffer struct{}

// acceptNonblocking is accept, then fcntl, because macOS has no accept4
// (FreeBSD, DragonFly, NetBSD and OpenBSD do, but one code path serves all
// five). The listening socket is non-blocking, so with nobody waiting accept
// fails at once with EAGAIN. On macOS and the BSDs the accepted socket
// inherits O_NONBLOCK from the listener (on Linux it does not, which is one
// reason accept4 exists); setting it again here costs one system call and
// does not depend on that rule. Close-on-exec is never inherited: it is set
// under ForkLock, as in newSocket.
func acceptNonblocking(fd int, _ *peerBuffer) (int, netip.AddrPort, error) {
	syscall.ForkLock.RLock()
	nfd, peer, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, netip.AddrPort{}, err
	}
	return nfd, fromSockaddr(peer), nil
}
