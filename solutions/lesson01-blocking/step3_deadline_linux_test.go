package blocking

import (
	"bufio"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Step 3: one deadline for the whole conversation, dial included.

// listenOverflows reads how many connections the kernel has dropped because
// a listener's accept queue was full (TcpExt ListenOverflows).
func listenOverflows(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		t.Skipf("cannot read /proc/net/netstat: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var names []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "TcpExt:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, name := range names {
			if name == "ListenOverflows" && i < len(fields) {
				n, _ := strconv.Atoi(fields[i])
				return n
			}
		}
	}
	t.Skip("no ListenOverflows in /proc/net/netstat")
	return 0
}

// slowToDial returns the address of a listener whose accept queue is full,
// so that the kernel drops the next connection's SYN, and a function that
// makes room once that has happened. The client then retransmits its SYN
// about a second later (Linux's first retransmission timeout) and connects:
// a dial that takes a second, on loopback, without a sleep. makeRoom stops
// waiting as soon as returned is closed: a client that never dialled (an
// unfinished step) must fail at once, not after the wait.
func slowToDial(t *testing.T) (addr string, makeRoom func(returned <-chan struct{})) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0)) // room for one connection in the queue
	file := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(file)
	file.Close()
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	filler, err := net.DialTimeout("tcp", ln.Addr().String(), wait)
	require.NoError(t, err)
	t.Cleanup(func() { filler.Close() })

	before := listenOverflows(t)
	return ln.Addr().String(), func(returned <-chan struct{}) {
		for end := time.Now().Add(wait); time.Now().Before(end) && listenOverflows(t) == before; {
			select {
			case <-returned:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		// Take the filler: the retransmitted SYN finds room. Nobody ever
		// answers the connection that follows.
		if conn, err := ln.Accept(); err == nil {
			t.Cleanup(func() { conn.Close() })
		}
	}
}

func TestStep3_ASlowDialLeavesLessTimeNotMore(t *testing.T) {
	addr, makeRoom := slowToDial(t)
	const timeout = 1500 * time.Millisecond
	type result struct {
		echo []byte
		err  error
	}
	done := make(chan result, 1)
	returned := make(chan struct{})
	began := time.Now()
	go func() {
		defer close(returned)
		echo, err := Send("tcp", addr, []byte("ping"), timeout)
		done <- result{echo, err}
	}()
	makeRoom(returned)
	var r result
	select {
	case r = <-done:
	case <-time.After(timeout + wait):
		t.Fatalf("Send had not returned %s after it began, with a timeout of %s. (README.md, Step 3)", timeout+wait, timeout)
	}
	requireDone(t, 3, "Send", r.err)
	took := time.Since(began)
	require.Errorf(t, r.err, "the server never answers, yet Send returned %q and no error. (README.md, Step 3)", r.echo)
	require.Lessf(t, took, timeout+timeout/3,
		"the dial took about a second and the server never answered; with a timeout of %s, Send gave up after %s. One deadline covers the dial and the conversation: compute it once, dial with net.Dialer{Deadline: deadline}, then conn.SetDeadline(deadline). (README.md, Step 3)",
		timeout, took.Round(time.Millisecond))
}
