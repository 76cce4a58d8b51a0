package main

// ensureFiles has nothing to check on Windows, which has no per-process
// limit on sockets like `ulimit -n`.
func ensureFiles(conns int) error { return nil }
