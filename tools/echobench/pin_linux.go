package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinnedCommand prefixes argv with `taskset -c CPU`, which sets the CPU
// affinity (sched_setaffinity) and then executes the server, so the server
// keeps the same pid and every thread it starts stays on that CPU.
func pinnedCommand(argv []string, cpu int) ([]string, error) {
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return nil, errors.New("-pin needs taskset (package util-linux) to start the server on one CPU; install it or run without -pin")
	}
	return append([]string{taskset, "-c", strconv.Itoa(cpu)}, argv...), nil
}

// pinSelf moves every thread of echobench to one CPU, as `taskset -a -p`
// would. Threads started later inherit the affinity of the thread that
// starts them, so the whole load generator stays there.
func pinSelf(cpu int) error {
	if cpu >= runtime.NumCPU() {
		return fmt.Errorf("cannot pin to CPU %d: this machine has %d", cpu, runtime.NumCPU())
	}
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		err = unix.SchedSetaffinity(tid, &set)
		if err != nil && !errors.Is(err, unix.ESRCH) { // ESRCH: the thread has just exited
			return fmt.Errorf("sched_setaffinity: %v", err)
		}
	}
	// One CPU: more Ps would only make goroutines queue for it.
	runtime.GOMAXPROCS(1)
	return nil
}
