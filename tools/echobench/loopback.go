package main

import (
	"fmt"
	"net"
	"net/netip"
)

// checkLoopback refuses any address that is not on this machine's loopback
// interface. A load generator pointed at someone else's server is an attack,
// and a measurement across a real network measures the network, not the
// lesson: both are out of scope.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %v (want host:port, e.g. 127.0.0.1:12345)", addr, err)
	}
	if port == "" || port == "0" {
		return fmt.Errorf("address %q has no port: give the port the server printed in its \"listening on\" line", addr)
	}
	if host == "localhost" {
		return nil // Resolved by dialTCP to a loopback address only.
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("address %q: host must be a loopback IP (127.0.0.1, ::1) or localhost, not %q", addr, host)
	}
	if !ip.Unmap().IsLoopback() {
		return fmt.Errorf("address %q is not a loopback address: echobench only measures servers on this machine (127.0.0.0/8, ::1)", addr)
	}
	return nil
}
