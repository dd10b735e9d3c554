package main

import (
	"os"
	"os/signal"
)

// runConsole supervises the agent until Ctrl+C (or SIGTERM elsewhere), as when an admin starts the host by hand.
func runConsole(sup *supervisor) {
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, stopSignals...)
	stop := make(chan struct{})
	go func() {
		<-interrupted
		close(stop)
	}()
	sup.run(stop)
}
