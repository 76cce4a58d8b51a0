package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStatusKB reads one "Key: value kB" field of /proc/PID/status (Linux),
// such as VmRSS, the memory the process has in RAM right now. ok is false
// where there is no /proc.
func procStatusKB(pid int, key string) (kb int64, ok bool) {
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

// procCPUSeconds returns the CPU time (user + system, all threads) the
// process has used so far, from /proc/PID/stat. The kernel counts it in
// ticks of 10 ms, so only differences over a second or more mean much.
func procCPUSeconds(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may contain spaces: skip past it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(s[i+1:])
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
