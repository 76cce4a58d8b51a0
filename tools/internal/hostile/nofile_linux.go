package hostile

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// noFileEnv, in the environment, asks this program to set its descriptor
// limit to the value and exec the rest of its command line: the only way
// to start a child with a lower limit without a shell or prlimit(1), since
// os/exec cannot set one.
const noFileEnv = "HOSTILE_EXEC_WITH_NOFILE"

func init() {
	v, ok := os.LookupEnv(noFileEnv)
	if !ok {
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "hostile: %s=%q needs a number and a program to run\n", noFileEnv, v)
		os.Exit(2)
	}
	// Soft and hard: a Go program raises its soft limit to the hard one
	// when it starts, so only a hard limit holds.
	lim := syscall.Rlimit{Cur: n, Max: n}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Fprintf(os.Stderr, "hostile: setrlimit NOFILE %d: %v\n", n, err)
		os.Exit(2)
	}
	os.Unsetenv(noFileEnv)
	err = syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
	fmt.Fprintf(os.Stderr, "hostile: exec %s: %v\n", os.Args[1], err)
	os.Exit(2)
}

// withNoFile returns a command that runs path with args under a limit of
// n open descriptors: this very program, re-executed, sets the limit and
// execs path, so the process is path's and keeps its pid.
func withNoFile(n int, path string, args []string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", noFileEnv, n))
	return cmd, nil
}
