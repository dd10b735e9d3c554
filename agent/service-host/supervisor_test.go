package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary plays the agent when HOST_TEST_AGENT names a behaviour.
func TestMain(m *testing.M) {
	switch os.Getenv("HOST_TEST_AGENT") {
	case "":
		os.Exit(m.Run())
	case "graceful":
		fmt.Println("agent running")
		io.Copy(io.Discard, os.Stdin)
		fmt.Println("agent saw stdin close, shutting down")
		os.Exit(0)
	case "stubborn":
		fmt.Println("agent running")
		time.Sleep(time.Hour)
	case "failing":
		fmt.Println("agent failing")
		os.Exit(3)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testSupervisor(behaviour string, out *syncBuffer) *supervisor {
	self, _ := os.Executable()
	return &supervisor{
		command: func() *exec.Cmd {
			cmd := exec.Command(self)
			cmd.Env = append(os.Environ(), "HOST_TEST_AGENT="+behaviour)
			return cmd
		},
		log: hostLog{out: out}, output: out,
		stopTimeout: 2 * time.Second, restartDelay: 100 * time.Millisecond, maxDelay: 400 * time.Millisecond, healthyAfter: time.Minute,
	}
}

func waitFor(t *testing.T, out *syncBuffer, text string, count int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), text) < count {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d× %q; log:\n%s", count, text, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runUntilStopped(sup *supervisor, stop chan struct{}) chan struct{} {
	done := make(chan struct{})
	go func() {
		sup.run(stop)
		close(done)
	}()
	return done
}

func TestStopClosesStdinAndWaitsForCleanShutdown(t *testing.T) {
	out := &syncBuffer{}
	sup := testSupervisor("graceful", out)
	stop := make(chan struct{})
	done := runUntilStopped(sup, stop)
	waitFor(t, out, "agent running", 1)
	began := time.Now()
	close(stop)
	<-done
	if !strings.Contains(out.String(), "agent saw stdin close, shutting down") {
		t.Fatalf("agent did not see its stdin close; log:\n%s", out.String())
	}
	if strings.Contains(out.String(), "did not stop in time") || time.Since(began) > sup.stopTimeout {
		t.Fatalf("clean shutdown took the kill path; log:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `"exit":"code 0"`) {
		t.Fatalf("exit not logged as code 0; log:\n%s", out.String())
	}
}

func TestStopEndsAnAgentThatIgnoresItAfterTheTimeout(t *testing.T) {
	out := &syncBuffer{}
	sup := testSupervisor("stubborn", out)
	stop := make(chan struct{})
	done := runUntilStopped(sup, stop)
	waitFor(t, out, "agent running", 1)
	began := time.Now()
	close(stop)
	select {
	case <-done:
	case <-time.After(sup.stopTimeout + 5*time.Second):
		t.Fatal("stop did not end a stubborn agent")
	}
	if took := time.Since(began); took < sup.stopTimeout {
		t.Fatalf("ended after %v, before the %v stop timeout", took, sup.stopTimeout)
	}
	waitFor(t, out, "agent did not stop in time; ending it", 1)
}

func TestAnAgentThatExitsIsStartedAgainWithGrowingDelay(t *testing.T) {
	out := &syncBuffer{}
	sup := testSupervisor("failing", out)
	stop := make(chan struct{})
	done := runUntilStopped(sup, stop)
	waitFor(t, out, "agent failing", 4)
	close(stop)
	<-done
	for _, delay := range []string{`"restart_in_seconds":0.1`, `"restart_in_seconds":0.2`, `"restart_in_seconds":0.4`} {
		if !strings.Contains(out.String(), delay) {
			t.Fatalf("no restart logged with %s; log:\n%s", delay, out.String())
		}
	}
	if !strings.Contains(out.String(), "exit status 3") {
		t.Fatalf("exit code not logged; log:\n%s", out.String())
	}
}
