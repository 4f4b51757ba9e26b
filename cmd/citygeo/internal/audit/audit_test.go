package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/audit"
)

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.db.audit.jsonl")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	entries := []audit.Entry{
		{Time: t0, Who: "gis-team", Role: "gis", Action: "POST /v1/datasets", Target: "部件.zip", Version: 3, Result: audit.ResultOK, Status: 201},
		{Time: t0.Add(time.Hour), Who: "desk-1", Role: "reader", Action: "POST /v1/events", Result: audit.ResultRefused, Status: 403, Message: "token has role reader"},
		{Time: t0.Add(2 * time.Hour), Who: "cli:ops", Action: "rollback", Target: "version=2", Version: 2, Result: audit.ResultOK},
	}
	for _, e := range entries {
		if err := l.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(entries[0]); err == nil {
		t.Error("Write after Close succeeded")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v, want 0600", fi.Mode().Perm())
	}
	tests := map[string]struct {
		f    audit.Filter
		want []int
	}{
		"all":       {audit.Filter{}, []int{0, 1, 2}},
		"since":     {audit.Filter{Since: t0.Add(time.Hour)}, []int{1, 2}},
		"until":     {audit.Filter{Until: t0.Add(time.Hour)}, []int{0, 1}},
		"who":       {audit.Filter{Who: "cli:ops"}, []int{2}},
		"action":    {audit.Filter{Action: "/v1/"}, []int{0, 1}},
		"result":    {audit.Filter{Result: audit.ResultRefused}, []int{1}},
		"no match":  {audit.Filter{Who: "nobody"}, nil},
		"two rules": {audit.Filter{Action: "POST", Result: audit.ResultOK}, []int{0}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got []int
			err = audit.Read(f, tc.f, func(e audit.Entry) bool {
				for i, w := range entries {
					if e.Time.Equal(w.Time) && e.Action == w.Action && e.Who == w.Who && e.Version == w.Version && e.Message == w.Message {
						got = append(got, i)
					}
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("entries %v, want %v", got, tc.want)
			}
		})
	}
}

// TestConcurrentAppends: two logs on one file (a server and a CLI command) writing at once
// leave only whole lines.
func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var wg sync.WaitGroup
	for w := range 2 {
		l, err := audit.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for i := range 20 {
			wg.Go(func() {
				if err := l.Write(audit.Entry{Who: fmt.Sprint("writer-", w), Action: "POST /v1/events", Target: strings.Repeat("x", 500), Version: int64(i), Result: audit.ResultOK}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	f, _ := os.Open(path)
	defer f.Close()
	n := 0
	if err := audit.Read(f, audit.Filter{}, func(audit.Entry) bool { n++; return true }); err != nil || n != 40 {
		t.Errorf("read back %d entries, err %v; want 40 whole lines", n, err)
	}
}

func TestReadTornLine(t *testing.T) {
	err := audit.Read(strings.NewReader(`{"time":"2026-11-20T09:00:00Z","who":"a","action":"x","result":"ok"}`+"\n"+`{"time":"2026-11-20T0`), audit.Filter{},
		func(audit.Entry) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("torn last line: %v, want an error naming line 2", err)
	}
}

// TestStarted checks started entries: hidden when their request's result follows, shown when
// none does (a write cut off), and not hidden by a result of the same request id before them.
func TestStarted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.jsonl")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		begin bool
		e     audit.Entry
	}{
		{true, audit.Entry{Action: "POST /v1/events", RequestID: "r1"}},
		{false, audit.Entry{Action: "POST /v1/events", RequestID: "r1", Result: audit.ResultOK}},
		{true, audit.Entry{Action: "POST /v1/datasets", RequestID: "r2"}}, // killed: no result
		{false, audit.Entry{Action: "POST /v1/events", RequestID: "r3", Result: audit.ResultOK}},
		{true, audit.Entry{Action: "POST /v1/events", RequestID: "r3"}}, // a reused id, later: cut off
	} {
		if step.begin {
			err = l.Begin(step.e)
		} else {
			err = l.Write(step.e)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	if err := audit.Read(f, audit.Filter{}, func(e audit.Entry) bool { got = append(got, e.RequestID+" "+e.Result); return true }); err != nil {
		t.Fatal(err)
	}
	if want := "r1 ok|r2 started|r3 ok|r3 started"; strings.Join(got, "|") != want {
		t.Errorf("entries %q, want %q", strings.Join(got, "|"), want)
	}
}

// FuzzRead: a log, torn or not, is refused naming a line or read into at most one entry a
// line, never showing a started entry whose result follows it.
func FuzzRead(f *testing.F) {
	f.Add(`{"time":"2026-12-01T08:00:00Z","who":"gis","action":"POST /v1/datasets","result":"started","request_id":"a"}` + "\n" +
		`{"time":"2026-12-01T08:00:01Z","who":"gis","action":"POST /v1/datasets","result":"ok","request_id":"a"}` + "\n" + `{"time":"2026`)
	f.Add("\n\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		var got []audit.Entry
		if err := audit.Read(strings.NewReader(in), audit.Filter{}, func(e audit.Entry) bool { got = append(got, e); return true }); err != nil {
			if !strings.Contains(err.Error(), "line ") && !strings.Contains(err.Error(), "token too long") {
				t.Fatalf("error names no line: %v", err)
			}
			return
		}
		if len(got) > strings.Count(in, "\n")+1 {
			t.Fatalf("%d entries from %d lines", len(got), strings.Count(in, "\n")+1)
		}
		for i, e := range got {
			if e.Result != audit.ResultStarted || e.RequestID == "" {
				continue
			}
			for _, later := range got[i+1:] {
				if later.RequestID == e.RequestID && later.Result != audit.ResultStarted {
					t.Fatalf("started entry %s shown though its result follows", e.RequestID)
				}
			}
		}
	})
}
