package main

import (
	"fmt"
	"regexp"
	"strings"
)

// logEntry matches the first line of what a test logs: `file_test.go:41: ...`.
var logEntry = regexp.MustCompile(`^\s*[\w./-]+\.go:\d+: ?`)

// maxFailureLines bounds the excerpt; a longer failure ends with where to see it all.
const maxFailureLines = 24

// failureText is the first failure a test reported, whole: the log entry
// (`file_test.go:41: ...`) with every line that belongs to it, such as the
// rest of a testify block, never a cut from its middle. A data race shows
// the start of the race report. more is the command that shows everything.
func failureText(output string, tx *texts, more string) string {
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "=== ") || strings.HasPrefix(trimmed, "--- ") {
			continue // go test's own framing
		}
		lines = append(lines, strings.TrimRight(line, " \t"))
	}
	var entry []string
	if i := indexOf(lines, "WARNING: DATA RACE"); i >= 0 {
		entry = lines[i:]
		for j, line := range entry {
			if j > 0 && strings.HasPrefix(line, "==================") {
				entry = entry[:j]
				break
			}
		}
	} else {
		entry = firstEntry(lines)
	}
	if len(entry) == 0 {
		entry = strings.Split(lastLines(strings.TrimSpace(strings.Join(lines, "\n")), 12), "\n")
	}
	if len(entry) > maxFailureLines {
		rest := len(entry) - maxFailureLines + 1
		entry = append(entry[:maxFailureLines-1], fmt.Sprintf(tx.more, rest, more))
	}
	return strings.Join(entry, "\n")
}

// firstEntry returns the first log entry of a test's output, its lines
// made readable: the entry's own indentation removed, and testify's
// tab-separated "Error:  \t..." columns turned into spaces.
func firstEntry(lines []string) []string {
	start := -1
	for i, line := range lines {
		if logEntry.MatchString(line) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	base := leadingSpace(lines[start])
	entry := []string{strings.TrimSpace(lines[start])}
	for _, line := range lines[start+1:] {
		if logEntry.MatchString(line) && leadingSpace(line) <= base {
			break // The next entry.
		}
		if strings.TrimSpace(line) != "" && leadingSpace(line) <= base && !strings.HasPrefix(line, "\t") {
			break // Printed by something else, such as the test binary's FAIL line.
		}
		line = strings.TrimPrefix(line, strings.Repeat(" ", base))
		line = strings.TrimPrefix(line, "    ")
		line = strings.ReplaceAll(strings.TrimPrefix(line, "\t"), "\t", " ")
		entry = append(entry, line)
	}
	for len(entry) > 0 && strings.TrimSpace(entry[len(entry)-1]) == "" {
		entry = entry[:len(entry)-1]
	}
	return entry
}

func leadingSpace(s string) int {
	return len(s) - len(strings.TrimLeft(s, " "))
}

func indexOf(lines []string, text string) int {
	for i, line := range lines {
		if strings.Contains(line, text) {
			return i
		}
	}
	return -1
}
