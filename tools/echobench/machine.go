package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine describes where the numbers were measured: they mean little
// without it.
type Machine struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	Kernel    string `json:"kernel,omitempty"`
	CPU       string `json:"cpu,omitempty"`
	CPUs      int    `json:"cpus"`
	MemoryMiB int64  `json:"memory_mib,omitempty"`
	Go        string `json:"go"` // the toolchain that built the servers
}

func describeMachine(ctx context.Context) Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.CPU = firstField("/proc/cpuinfo", "model name")
	if kb := firstField("/proc/meminfo", "MemTotal"); kb != "" {
		var n int64
		fmt.Sscan(kb, &n)
		m.MemoryMiB = n / 1024
	}
	// `go build` used the go command on PATH, which may differ from the
	// toolchain that built echobench itself.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	return m
}

// firstField returns the value of the first "key: value" line of a /proc
// file, or "".
func firstField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (m Machine) String() string {
	s := fmt.Sprintf("%s/%s", m.OS, m.Arch)
	if m.Kernel != "" {
		s += ", kernel " + m.Kernel
	}
	if m.CPU != "" {
		s += ", " + m.CPU
	}
	s += fmt.Sprintf(", %d CPUs", m.CPUs)
	if m.MemoryMiB > 0 {
		s += fmt.Sprintf(", %.1f GiB RAM", float64(m.MemoryMiB)/1024)
	}
	return s + ", " + m.Go
}
