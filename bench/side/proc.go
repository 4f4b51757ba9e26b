package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Cores the harness pins to: servers to serverCore, the load generator to clientCore.
const (
	serverCore = 0
	clientCore = 1
)

// pinning says how processes are pinned in this run: it pins only on a machine with two
// cores or more and a taskset binary, and otherwise says why not (the report carries it).
type pinning struct {
	on      bool
	taskset string
	why     string
}

func newPinning(want bool) pinning {
	switch {
	case !want:
		return pinning{why: "not pinned (-pin=false)"}
	case runtime.NumCPU() < 2:
		return pinning{why: fmt.Sprintf("not pinned: %d core", runtime.NumCPU())}
	}
	ts, err := exec.LookPath("taskset")
	if err != nil {
		return pinning{why: "not pinned: no taskset binary"}
	}
	return pinning{on: true, taskset: ts, why: fmt.Sprintf("servers pinned to core %d, the load generator to core %d", serverCore, clientCore)}
}

// command returns bin args…, run on the server core when pinning is on.
func (p pinning) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if !p.on {
		return exec.CommandContext(ctx, bin, args...)
	}
	// taskset execs bin, so the process id and the rusage are bin's own.
	return exec.CommandContext(ctx, p.taskset, append([]string{"-c", strconv.Itoa(serverCore), bin}, args...)...)
}

// pinSelf moves every thread of this process to the client core; threads the runtime starts
// later are cloned from these and inherit it.
func (p pinning) pinSelf() error {
	if !p.on {
		return nil
	}
	return setAffinity(os.Getpid(), cpuSet(clientCore))
}

func cpuSet(cores ...int) *unix.CPUSet {
	var s unix.CPUSet
	for _, c := range cores {
		s.Set(c)
	}
	return &s
}

// setAffinity sets the CPU mask of every thread of process pid.
func setAffinity(pid int, set *unix.CPUSet) error {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("pin thread %d of %d: %w", tid, pid, err)
		}
	}
	return nil
}

// children lists the processes whose parent is pid.
func children(pid int) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, d := range dirs {
		if ppid, err := parentOf(d); err == nil && ppid == pid {
			if c, err := strconv.Atoi(filepath.Base(filepath.Dir(d))); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// parentOf reads the parent process id from a /proc/PID/stat file (field 4, after the
// parenthesised command name, which may itself hold spaces).
func parentOf(statPath string) (int, error) {
	b, err := os.ReadFile(statPath)
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no command name", statPath)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, fmt.Errorf("%s: short", statPath)
	}
	return strconv.Atoi(f[1])
}

// rss reads a process's resident set now and its peak (VmRSS, VmHWM) in bytes.
func rss(pid int) (now, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &now
		case "VmHWM":
			dst = &peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s of %d: %w", k, pid, err)
		}
		*dst = kb << 10
	}
	return now, peak, sc.Err()
}

// peakRSS is the largest resident set a finished command had (wait4's rusage).
func peakRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kilobytes on Linux
	}
	return 0
}

// cpuSeconds is the user and system CPU a process has used so far (/proc/PID/stat 14 and 15).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // USER_HZ is 100 on Linux
}

// freeAddr returns a loopback address nothing listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitHTTP polls url until it answers 200 and returns how long that took from start.
func waitHTTP(ctx context.Context, url string, start time.Time, limit time.Duration, exited <-chan error) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("exited before %s answered: %v", url, err)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("%s not ready after %v", url, limit)
}

// server is a process the harness started and stops.
type server struct {
	cmd    *exec.Cmd
	exited chan error
	log    *os.File
}

// start runs cmd with its output in logPath.
func start(cmd *exec.Cmd, logPath string) (*server, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	s := &server{cmd: cmd, exited: make(chan error, 1), log: f}
	go func() { s.exited <- cmd.Wait() }()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop asks the server to end (SIGTERM), then kills it after 30 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.log.Close()
}

// loadAvg is /proc/loadavg's three averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuModel is the first model name of /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for l := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
