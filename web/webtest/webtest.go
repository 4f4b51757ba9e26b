// Package webtest runs the Node checks under web/test from Go tests. Each check skips cleanly
// when node or the npm packages it needs are absent (CI installs them: cd web && npm ci).
package webtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Root returns the module root (the folder holding go.mod), or skips.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Skip(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
}

// Need skips unless node is on PATH and every npm package is installed under web/node_modules.
func Need(t testing.TB, pkgs ...string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	root := Root(t)
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(root, "web", "node_modules", filepath.FromSlash(p), "package.json")); err != nil {
			t.Skipf("npm package %s not installed (cd web && npm ci)", p)
		}
	}
}

// Node runs web/test/<script> with args and returns its stdout; a non-zero exit fails the test
// with the script's stderr.
func Node(t testing.TB, timeout time.Duration, script string, args ...string) []byte {
	t.Helper()
	root := Root(t)
	cmd := exec.Command("node", append([]string{filepath.Join(root, "web", "test", script)}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("node %s %v: %v\nstderr:\n%s\nstdout:\n%s", script, args, err, errb.String(), out.String())
		}
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("node %s: timed out after %v\nstderr:\n%s", script, timeout, errb.String())
	}
	return out.Bytes()
}
