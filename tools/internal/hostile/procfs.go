package hostile

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// rssKB reads the process's resident memory (VmRSS in /proc/PID/status,
// Linux). ok is false where there is no /proc.
func rssKB(pid int) (kb int64, ok bool) { return statusKB(pid, "VmRSS") }

// statusKB reads one "Key: N kB" field of /proc/PID/status.
func statusKB(pid int, key string) (kb int64, ok bool) {
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

// cpuSeconds returns the CPU time (user and system, every thread) the
// process has used, from /proc/PID/stat. The kernel counts it in ticks of
// 10 ms, so only differences over a second or more mean much.
func cpuSeconds(pid int) (float64, bool) {
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
