//go:build windows

package main

import (
	"os"
	"os/exec"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

var stopSignals = []os.Signal{os.Interrupt}

// runHost answers the service manager when started by it, and runs in the foreground otherwise.
func runHost(name string, sup *supervisor) error {
	job, err := killOnCloseJob()
	if err != nil {
		sup.log.event("warn", "no job object: the agent's processes may outlive a crashed host", map[string]any{"error": err.Error()})
	} else {
		sup.afterStart = func(cmd *exec.Cmd) { joinJob(job, cmd, sup.log) }
	}
	command := sup.command
	sup.command = func() *exec.Cmd {
		cmd := command()
		// A service has no desktop; the agent's console would be an invisible window.
		cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NO_WINDOW}
		return cmd
	}
	isService, err := svc.IsWindowsService()
	if err != nil {
		return err
	}
	if !isService {
		runConsole(sup)
		return nil
	}
	return svc.Run(name, &service{sup: sup})
}

type service struct{ sup *supervisor }

func (s *service) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		s.sup.run(stop)
		close(done)
	}()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for request := range requests {
		switch request.Cmd {
		case svc.Interrogate:
			status <- request.CurrentStatus
		case svc.Stop, svc.Shutdown:
			// The service manager waits this long before it calls the service hung.
			hint := s.sup.stopTimeout + 10*time.Second
			status <- svc.Status{State: svc.StopPending, WaitHint: uint32(hint.Milliseconds())}
			close(stop)
			<-done
			return false, 0
		}
	}
	return false, 0
}

// killOnCloseJob makes a job object whose processes end when the host's handle to it closes, so neither the agent
// nor its kopia processes outlive a host that crashed or was killed.
func killOnCloseJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, err
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return 0, err
	}
	return job, nil
}

func joinJob(job windows.Handle, cmd *exec.Cmd, log hostLog) {
	process, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid))
	if err == nil {
		err = windows.AssignProcessToJobObject(job, process)
		windows.CloseHandle(process)
	}
	if err != nil {
		log.event("warn", "agent not in the job object", map[string]any{"error": err.Error()})
	}
}
