//go:build linux

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// newSocket is socket(family, SOCK_STREAM): a TCP socket, created
// non-blocking and close-on-exec in one call, as Linux allows.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	return fd, os.NewSyscallError("socket", err)
}

// acceptNonblocking is accept4: the new connection comes out non-blocking and
// close-on-exec, without two more system calls. With nobody waiting it fails
// at once with EAGAIN instead of blocking.
func acceptNonblocking(fd int) (int, unix.Sockaddr, error) {
	nfd, peer, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	return nfd, peer, err
}
