// Package procfs reads a process's memory and CPU time, and the queues of
// TCP sockets, from Linux's /proc, for the tools that measure and attack
// servers (echobench and the hostile-peer suite). Elsewhere the process
// readings report ok == false and the socket readings an error.
package procfs

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RSSKB reads the process's resident memory (VmRSS in /proc/PID/status):
// the memory it has in RAM right now. ok is false where there is no /proc.
func RSSKB(pid int) (kb int64, ok bool) { return StatusKB(pid, "VmRSS") }

// StatusKB reads one "Key: N" field of /proc/PID/status, such as VmHWM (peak
// memory, kB) or Threads.
func StatusKB(pid int, key string) (kb int64, ok bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, found := strings.CutPrefix(sc.Text(), key+":"); found {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return 0, false
			}
			v, err := strconv.ParseInt(fields[0], 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// CPUSeconds returns the CPU time (user and system, every thread) the
// process has used, from /proc/PID/stat. The kernel counts it in ticks of
// 10 ms, so only differences over a second or more mean much.
func CPUSeconds(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime out of a /proc/PID/stat line.
func parseStatCPU(stat string) (float64, bool) {
	// The command name, in parentheses, may hold spaces: skip past it.
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(stat[i+1:])
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const ticksPerSecond = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return float64(utime+stime) / ticksPerSecond, true
}
