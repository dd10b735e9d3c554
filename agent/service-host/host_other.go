//go:build !windows

package main

import (
	"os"
	"syscall"
)

var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// runHost: outside Windows there is no service manager; the host only runs in the foreground (tests, trying it).
func runHost(_ string, sup *supervisor) error {
	runConsole(sup)
	return nil
}
