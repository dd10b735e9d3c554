// Command hyperv-restore-service runs the Hyper-V Restore agent as a Windows service: Node is not a service binary,
// so this host answers the service manager, keeps hyperv-restore-agent.exe running, writes its output to rolling log
// files and turns a service stop into the agent's clean shutdown (docs/windows-service.md says why it works so).
// Started from a console instead of the service manager it does the same until Ctrl+C, for trying it by hand.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// version is set at build time (-X main.version=...).
var version = "dev"

type options struct {
	name        string
	agent       string
	config      string
	logDir      string
	stopTimeout time.Duration
	logMaxMB    int
	logKeep     int
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("hyperv-restore-service", flag.ContinueOnError)
	fs.StringVar(&o.name, "name", "HypervRestoreAgent", "service name registered with the service manager")
	fs.StringVar(&o.agent, "agent", "", "agent executable (default: hyperv-restore-agent.exe beside this program)")
	fs.StringVar(&o.config, "config", "", "the agent's agent.json (required)")
	fs.StringVar(&o.logDir, "log-dir", "", "folder of the log files (default: logs beside agent.json)")
	fs.DurationVar(&o.stopTimeout, "stop-timeout", 60*time.Second, "how long a stop waits for the agent before ending it")
	fs.IntVar(&o.logMaxMB, "log-max-mb", 10, "size of one log file before it is rolled")
	fs.IntVar(&o.logKeep, "log-keep", 8, "rolled log files kept")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *showVersion {
		fmt.Println(version)
		os.Exit(0)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.config == "" {
		return o, fmt.Errorf("--config is required")
	}
	if o.stopTimeout <= 0 || o.logMaxMB < 1 || o.logKeep < 0 {
		return o, fmt.Errorf("--stop-timeout, --log-max-mb and --log-keep must be positive")
	}
	if o.agent == "" {
		self, err := os.Executable()
		if err != nil {
			return o, err
		}
		o.agent = filepath.Join(filepath.Dir(self), "hyperv-restore-agent.exe")
	}
	if o.logDir == "" {
		o.logDir = filepath.Join(filepath.Dir(o.config), "logs")
	}
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "hyperv-restore-service:", err)
		os.Exit(2)
	}
	if err := os.MkdirAll(o.logDir, 0o750); err != nil {
		fmt.Fprintln(os.Stderr, "hyperv-restore-service: cannot create the log folder:", err)
		os.Exit(1)
	}
	out, err := openRollingLog(filepath.Join(o.logDir, "agent.log"), int64(o.logMaxMB)<<20, o.logKeep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hyperv-restore-service: cannot open the log:", err)
		os.Exit(1)
	}
	defer out.Close()
	log := hostLog{out: out}
	sup := &supervisor{
		command: func() *exec.Cmd {
			cmd := exec.Command(o.agent, "--config", o.config, "--shutdown-on-stdin")
			cmd.Dir = filepath.Dir(o.agent)
			return cmd
		},
		log: log, output: out, stopTimeout: o.stopTimeout,
		restartDelay: 10 * time.Second, maxDelay: 5 * time.Minute, healthyAfter: time.Minute,
	}
	log.event("info", "service host started", map[string]any{"version": version, "agent": o.agent, "config": o.config})
	if err := runHost(o.name, sup); err != nil {
		log.event("error", "service host failed", map[string]any{"error": err.Error()})
		fmt.Fprintln(os.Stderr, "hyperv-restore-service:", err)
		os.Exit(1)
	}
	log.event("info", "service host stopped", nil)
}
