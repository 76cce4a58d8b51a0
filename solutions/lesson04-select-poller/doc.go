// Package poller is a lesson still being written.
package poller
