package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// starts remembers, for each copy of the course (by its folder), the lesson
// a learner chose to begin at with -from, so that it is typed only once.
type starts struct {
	file string // "" remembers nothing
}

func (s starts) all() map[string]int {
	m := map[string]int{}
	if s.file != "" {
		if data, err := os.ReadFile(s.file); err == nil {
			json.Unmarshal(data, &m)
		}
	}
	return m
}

// get returns the remembered first lesson of the course at root, or 1.
func (s starts) get(root string) int {
	if n := s.all()[root]; n > 1 {
		return n
	}
	return 1
}

// set remembers n as the course's first lesson; 1 forgets it.
func (s starts) set(root string, n int) error {
	if s.file == "" {
		return nil
	}
	m := s.all()
	if n > 1 {
		m[root] = n
	} else {
		delete(m, root)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(s.file, data, 0o644)
}
