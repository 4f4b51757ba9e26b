package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestMain lets a test re-run this binary as the citygeo command (CITYGEO_MAIN=1), so process
// level tests (SIGKILL) need no separate build.
func TestMain(m *testing.M) {
	if os.Getenv("CITYGEO_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cmdLine is a citygeo command line run as a process of its own: this test binary, which TestMain
// turns into the citygeo command.
type cmdLine []string

// citygeo starts a command line with args.
func citygeo(args ...string) cmdLine { return cmdLine(args) }

// args appends more arguments (a copy: c is never shared).
func (c cmdLine) args(more ...string) cmdLine { return append(c[:len(c):len(c)], more...) }

// cmd returns the process to start.
func (c cmdLine) cmd() *exec.Cmd {
	cmd := exec.Command(os.Args[0], c...)
	cmd.Env = append(os.Environ(), "CITYGEO_MAIN=1")
	return cmd
}

// CombinedOutput runs the command and returns its output.
func (c cmdLine) CombinedOutput() ([]byte, error) { return c.cmd().CombinedOutput() }
