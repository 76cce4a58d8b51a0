package main

import (
	"strings"
	"testing"
	"time"
)

func TestOnlyLoopbackAddressesAreAccepted(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:12345", "127.1.2.3:80", "[::1]:9000", "localhost:12345", "[::ffff:127.0.0.1]:1"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q) = %v; want nil: it is on this machine", addr, err)
		}
	}
	for _, addr := range []string{"10.0.0.1:80", "0.0.0.0:12345", "[::]:12345", "example.com:80", "8.8.8.8:53", "127.0.0.1", "127.0.0.1:0"} {
		if err := checkLoopback(addr); err == nil {
			t.Errorf("checkLoopback(%q) = nil; want an error", addr)
		}
	}
}

func TestRunsAgainstOtherMachinesAreRefusedBeforeDialling(t *testing.T) {
	_, err := pingPong(testContext(t), pingPongConfig{Addr: "192.0.2.1:7", Conns: 1, Size: 8, Duration: time.Second}, nil)
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("ping-pong to 192.0.2.1:7 returned %v; want a refusal naming loopback", err)
	}
	_, err = hold(testContext(t), holdConfig{Addr: "192.0.2.1:7", Conns: 1, Size: 8}, nil)
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("hold to 192.0.2.1:7 returned %v; want a refusal naming loopback", err)
	}
}

func TestBoundsAreChecked(t *testing.T) {
	if err := checkConns(maxConns + 1); err == nil {
		t.Errorf("checkConns(%d) = nil; want an error", maxConns+1)
	}
	if err := checkSize(maxLine + 1); err == nil {
		t.Errorf("checkSize(%d) = nil; want an error", maxLine+1)
	}
	if err := checkDuration("-d", 2*time.Minute); err == nil {
		t.Error("checkDuration(2m) = nil; want an error: runs are bounded")
	}
	if _, err := parseCounts("1,x"); err == nil {
		t.Error(`parseCounts("1,x") = nil error`)
	}
	if got, _ := parseCounts("100, 1,10,10"); len(got) != 3 || got[0] != 1 || got[2] != 100 {
		t.Errorf(`parseCounts("100, 1,10,10") = %v; want [1 10 100]`, got)
	}
}
