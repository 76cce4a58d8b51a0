// Package goroutines is a lesson still being written.
package goroutines
