package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestREADME runs the commands of README.md as written. Every fenced block whose info string is
// `sh` is run, in README order, as one bash script (set -euo pipefail: a failing command fails
// the test and names its README line), so variables set by one block serve the next. A block
// marked `sh norun` is shown, not run: it never returns (make run), needs a machine or files a
// clean clone has not (a city's survey, a PostgreSQL admin), or is macOS's open. The blocks run
// in a scratch folder that links every entry of the repository (the example files are found as
// README names them, and what the commands write stays out of the clone), with `citygeo` on the
// PATH (this test binary, as TestMain makes it the command) and curl told to fail on an HTTP
// error (a .curlrc), so an example answering 404 fails too. Before the first block the sample
// city is served on 127.0.0.1:8080, as `make run` would, with the tokens the examples name
// ($TOKEN, $DISPATCHER, $GIS, $DEVICE) in its token file.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands against a served city")
	}
	// The tools the examples call besides citygeo (.ci/run installs them).
	for _, tool := range []string{"bash", "curl", "awk", "ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: the README's examples use it", tool)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		t.Skipf("the README's examples talk to 127.0.0.1:8080, which is busy here: %v", err)
	}
	ln.Close()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 10 {
		t.Fatalf("only %d runnable blocks in README.md", len(blocks))
	}

	work, bin, home := t.TempDir(), t.TempDir(), t.TempDir()
	entries, err := os.ReadDir(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Symlink(filepath.Join(repo, e.Name()), filepath.Join(work, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := fmt.Sprintf("#!/bin/sh\nCITYGEO_MAIN=1 exec %q \"$@\"\n", self)
	if err := os.WriteFile(filepath.Join(bin, "citygeo"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".curlrc"), []byte("fail\nsilent\nshow-error\nmax-time = 60\noutput = /dev/null\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var script strings.Builder
	script.WriteString("set -euo pipefail\ntrap 'echo \"README.md:$README_LINE: failed: $BASH_COMMAND\" >&2' ERR\n")
	script.WriteString("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n") // the servers README starts in the background
	// The sample city as `make run` serves it, with a token per role the examples use.
	script.WriteString(`for r in dispatcher gis device; do citygeo token add --file readme-tokens.json --name readme-$r --role $r | awk '{print $NF}' > .token-$r; done
TOKEN=$(cat .token-dispatcher) DISPATCHER=$(cat .token-dispatcher) GIS=$(cat .token-gis) DEVICE=$(cat .token-device)
citygeo serve --addr 127.0.0.1:8080 --auth readme-tokens.json --log-access=false 2> sample-serve.log &
for i in $(seq 1 600); do curl -s -o /dev/null localhost:8080/readyz 2>/dev/null && break; sleep 0.1; done
`)
	for _, b := range blocks {
		fmt.Fprintf(&script, "README_LINE=%d\n%s\n", b.line, b.text)
	}
	script.WriteString("README_LINE=end\nkill $(jobs -p) 2>/dev/null || true\nwait || true\n")
	if err := os.WriteFile(filepath.Join(work, ".readme.sh"), []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", ".readme.sh")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+home, "CURL_HOME="+home)
	// Output to a file, not a pipe: a server left in the background must not hold the test.
	outPath := filepath.Join(home, "readme.out")
	outFile, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	cmd.Stdout, cmd.Stderr = outFile, outFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the servers the README starts die with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err = cmd.Run()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	out, _ := os.ReadFile(outPath)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(work, "sample-serve.log"))
		t.Fatalf("README commands: %v\n%s\nthe sample server's log (tail):\n%s", err, tailLines(string(out), 40), tailLines(string(log), 10))
	}
	t.Logf("%d README blocks ran", len(blocks))
}

// readmeBlock is a runnable fenced block: its text and the README line it starts on.
type readmeBlock struct {
	line int
	text string
}

// readmeBlocks returns the README's ```sh blocks, leaving out those marked norun.
func readmeBlocks(path string) ([]readmeBlock, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		out     []readmeBlock
		in, run bool
		cur     readmeBlock
		lines   []string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fence := strings.HasPrefix(strings.TrimSpace(line), "```")
		switch {
		case fence && !in:
			info := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "```"))
			in, run = true, len(info) > 0 && info[0] == "sh" && !strings.Contains(line, "norun")
			cur, lines = readmeBlock{line: n + 1}, nil
		case fence && in:
			in = false
			if run {
				cur.text = strings.Join(lines, "\n")
				out = append(out, cur)
			}
		case in:
			lines = append(lines, line)
		}
	}
	return out, sc.Err()
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
