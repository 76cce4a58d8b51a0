//go:build !linux

package hostile

import "os"

// maxRSSKB is measured on Linux only, where Maxrss is in kilobytes.
func maxRSSKB(state *os.ProcessState) (int64, bool) { return 0, false }
