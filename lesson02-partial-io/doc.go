// Package partialio is a lesson still being written.
package partialio
