// Package deploy_test checks the deployment files at the root of the repository and in deploy/:
// the Dockerfile, parsed by BuildKit's own parser (docker is not on the CI machine), and the
// systemd unit, verified by systemd-analyze when it is installed.
package deploy_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestDockerfile: a multi-stage build whose final stage runs as a non-root user, checks
// /healthz, serves by default and takes the binary from a build stage on the go.mod's Go.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for _, w := range ast.Warnings {
		t.Errorf("parser warning: %s", w.Short)
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		t.Fatalf("instructions: %v", err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(stages))
	}
	names := map[string]bool{}
	for _, s := range stages[:len(stages)-1] {
		if s.Name == "" {
			t.Errorf("stage FROM %s has no name", s.BaseName)
		}
		names[s.Name] = true
	}
	goVersion := goModVersion(t)
	build := false
	for _, s := range stages {
		if strings.HasPrefix(s.BaseName, "golang:") {
			build = true
			if !strings.HasPrefix(strings.TrimPrefix(s.BaseName, "golang:"), goVersion) {
				t.Errorf("builder %s does not build with go.mod's Go %s", s.BaseName, goVersion)
			}
		}
	}
	if !build {
		t.Error("no golang build stage")
	}

	final := stages[len(stages)-1]
	var user string
	var health *instructions.HealthCheckCommand
	var cmd, entry []string
	copiedFromStage := false
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			health = c
		case *instructions.CmdCommand:
			cmd = c.CmdLine
		case *instructions.EntrypointCommand:
			entry = c.CmdLine
		case *instructions.CopyCommand:
			if names[c.From] {
				copiedFromStage = true
			}
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("final stage runs as %q; want an unprivileged user", user)
	}
	if health == nil || health.Health == nil || !strings.Contains(strings.Join(health.Health.Test, " "), "/healthz") {
		t.Errorf("final stage has no HEALTHCHECK on /healthz: %+v", health)
	} else if health.Health.Interval == 0 || health.Health.Timeout == 0 {
		t.Errorf("health check without interval or timeout: %+v", health.Health)
	}
	if run := strings.Join(append(entry, cmd...), " "); !strings.Contains(run, "citygeo serve") {
		t.Errorf("the image runs %q; want citygeo serve (the sample city) by default", run)
	}
	if !copiedFromStage {
		t.Error("the final stage copies nothing from a build stage")
	}
}

// goModVersion is the major.minor of go.mod's go line.
func goModVersion(t *testing.T) string {
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return string(m[1])
}

// TestSystemdUnit: the unit is hardened (checked by reading it) and systemd-analyze verifies it
// and rates its exposure low, when systemd-analyze is installed (.ci/run installs systemd).
func TestSystemdUnit(t *testing.T) {
	const unit = "citygeo.service"
	keys := readUnit(t, unit)
	for k, want := range map[string]string{
		"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "StateDirectory": "citygeo", "KillSignal": "SIGTERM", "CapabilityBoundingSet": "",
	} {
		if got, ok := keys[k]; !ok || got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
	if !strings.Contains(keys["ExecStart"], "citygeo serve") {
		t.Errorf("ExecStart=%s does not run citygeo serve", keys["ExecStart"])
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (apt-get install systemd): the unit was only read")
	}
	// verify wants ExecStart's binary to exist: point it at this test's own executable.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), unit)
	if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/citygeo", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", tmp).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// Exposure 0 (locked down) … 10 (unprotected); systemd rates ≤ 2 "OK".
	if out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", tmp).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze security: exposure above 2.0: %v\n%s", err, tail(string(out), 5))
	}
}

// readUnit returns the unit's Key=Value lines (the last value of a key repeated).
func readUnit(t *testing.T, name string) map[string]string {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			keys[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
