package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCLI: a rollback made from the command line is recorded beside the store, and
// `citygeo audit` lists it, filtered as asked.
func TestAuditCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	for range 2 {
		if out, err := run(t, "gen", "--grids", "500", "--components", "500", "--store", db); err != nil {
			t.Fatalf("gen: %v\n%s", err, out)
		}
	}
	if out, err := run(t, "rollback", "--store", db, "1"); err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if _, err := run(t, "rollback", "--store", db, "7"); err == nil {
		t.Fatal("rollback to a version that does not exist succeeded")
	}
	tests := map[string]struct {
		args  []string
		lines []string // each must appear; the count of entries is len(lines)
	}{
		"all":          {[]string{"audit", "--store", db}, []string{"rollback  version=1  1        ok", "rollback  version=7  7        refused"}},
		"refused only": {[]string{"audit", "--store", db, "--result", "refused"}, []string{"version=7"}},
		"json": {[]string{"audit", "--file", db + ".audit.jsonl", "--json", "--since", "1h"},
			[]string{`"action":"rollback","target":"version=1","version":1,"result":"ok"`, `"result":"refused"`}},
		"future": {[]string{"audit", "--store", db, "--since", "2999-01-01T00:00:00Z"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := run(t, tc.args...)
			if err != nil {
				t.Fatalf("%v: %v", tc.args, err)
			}
			rows := strings.Split(strings.TrimSpace(out), "\n")
			if !strings.Contains(name, "json") {
				rows = rows[1:] // the header
			}
			if len(tc.lines) == 0 && len(rows) == 1 && rows[0] == "" {
				rows = nil
			}
			if len(rows) != len(tc.lines) {
				t.Fatalf("%d entries, want %d:\n%s", len(rows), len(tc.lines), out)
			}
			for _, l := range tc.lines {
				if !strings.Contains(out, l) {
					t.Errorf("%q not in\n%s", l, out)
				}
			}
			if !strings.Contains(out, "cli:") && len(tc.lines) > 0 {
				t.Errorf("entries do not say who (cli:<user>):\n%s", out)
			}
		})
	}
	if _, err := run(t, "audit", "--store", db, "--since", "yesterday"); err == nil || exitCode(err) != 2 {
		t.Errorf("--since yesterday: %v, want a usage error", err)
	}
}
