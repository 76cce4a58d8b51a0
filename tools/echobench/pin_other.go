//go:build !linux

package main

import "errors"

var errPin = errors.New("-pin works on Linux only (it uses taskset and sched_setaffinity); run without -pin")

// pinnedCommand would start the server on one CPU; only Linux is supported.
func pinnedCommand(argv []string, cpu int) ([]string, error) { return nil, errPin }

// pinSelf would move echobench to one CPU; only Linux is supported.
func pinSelf(cpu int) error { return errPin }
