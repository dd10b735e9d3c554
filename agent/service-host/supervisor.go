package main

import (
	"errors"
	"io"
	"os/exec"
	"time"
)

// supervisor keeps one agent process running until told to stop. A stop closes the agent's stdin (the agent runs
// with --shutdown-on-stdin and shuts down cleanly), waits up to stopTimeout, then kills it. An agent that ends on its
// own is started again after a delay that doubles while it keeps failing fast.
type supervisor struct {
	command      func() *exec.Cmd
	afterStart   func(*exec.Cmd) // platform hook: the Windows host puts the agent in a job object
	log          hostLog
	output       io.Writer
	stopTimeout  time.Duration
	restartDelay time.Duration
	maxDelay     time.Duration
	healthyAfter time.Duration // a run this long resets the delay
}

type running struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	exited chan error // receives cmd.Wait's result once
}

// run returns when stop is closed and the agent has ended.
func (s *supervisor) run(stop <-chan struct{}) {
	delay := s.restartDelay
	for {
		started := time.Now()
		agent, err := s.start()
		if err != nil {
			s.log.event("error", "cannot start the agent", map[string]any{"error": err.Error()})
		} else {
			select {
			case <-stop:
				s.shutdown(agent)
				return
			case err := <-agent.exited:
				s.log.event("error", "agent exited", map[string]any{"exit": exitDescription(err), "restart_in_seconds": delay.Seconds()})
			}
		}
		select {
		case <-stop:
			return
		case <-time.After(delay):
		}
		if time.Since(started) >= s.healthyAfter {
			delay = s.restartDelay
		} else {
			delay = min(delay*2, s.maxDelay)
		}
	}
}

func (s *supervisor) start() (*running, error) {
	cmd := s.command()
	cmd.Stdout, cmd.Stderr = s.output, s.output
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if s.afterStart != nil {
		s.afterStart(cmd)
	}
	s.log.event("info", "agent started", map[string]any{"pid": cmd.Process.Pid})
	agent := &running{cmd: cmd, stdin: stdin, exited: make(chan error, 1)}
	go func() { agent.exited <- cmd.Wait() }()
	return agent, nil
}

// shutdown asks the agent to stop by closing its stdin and kills it if it is still running after stopTimeout.
func (s *supervisor) shutdown(agent *running) {
	s.log.event("info", "stopping the agent", map[string]any{"timeout_seconds": s.stopTimeout.Seconds()})
	agent.stdin.Close()
	select {
	case err := <-agent.exited:
		s.log.event("info", "agent stopped", map[string]any{"exit": exitDescription(err)})
	case <-time.After(s.stopTimeout):
		s.log.event("warn", "agent did not stop in time; ending it", nil)
		agent.cmd.Process.Kill()
		<-agent.exited
	}
}

func exitDescription(err error) string {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "code 0"
	case errors.As(err, &exit):
		return exit.String()
	default:
		return err.Error()
	}
}
