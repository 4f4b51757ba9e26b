// Package audit is the audit trail of writes: every import, activation, rollback, event and
// token change as one JSON line (who, role, what, version, result), appended to a file and
// synced to disk before the write is reported done, and read back by `citygeo audit`. It is
// wiring of the binary, not a domain concept: the HTTP layer and the CLI write it.
package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Entry is one audited write.
type Entry struct {
	Time      time.Time `json:"time"`
	Who       string    `json:"who"`                  // token name, "cli:<user>", or "" when none was given
	Role      string    `json:"role,omitempty"`       // the token's role
	Action    string    `json:"action"`               // "POST /v1/datasets/:version/activate", "rollback", "token add" …
	Target    string    `json:"target,omitempty"`     // what it was done to: route parameters, an event id, files
	City      string    `json:"city,omitempty"`       // the city's key, in a database holding several
	Version   int64     `json:"version,omitempty"`    // the dataset version it made or served
	Result    string    `json:"result"`               // ok, refused, invalid, failed, started
	Status    int       `json:"status,omitempty"`     // HTTP status of a request
	Message   string    `json:"message,omitempty"`    // why, when not ok
	RequestID string    `json:"request_id,omitempty"` // X-Request-Id of a request
	Remote    string    `json:"remote,omitempty"`     // client address of a request
}

// The results an entry can have.
const (
	ResultOK      = "ok"
	ResultRefused = "refused" // auth, rate limit, conflict, bad input: nothing changed
	ResultInvalid = "invalid" // validation failed: nothing changed
	ResultFailed  = "failed"  // the server failed
	// ResultStarted marks a write the server accepted and began: written (unsynced) before
	// the write changes anything, so that a log that cannot be written refuses the write, and
	// followed by the entry of its result under the same request id. Read hides a started
	// entry whose result follows; one without is a write cut off (the process killed).
	ResultStarted = "started"
)

// ResultOf classifies an HTTP status.
func ResultOf(status int) string {
	switch {
	case status < 400:
		return ResultOK
	case status == 422:
		return ResultInvalid
	case status >= 500:
		return ResultFailed
	}
	return ResultRefused
}

// Log appends entries to a file. Each Write is one JSON line written with a single write call
// on a file opened O_APPEND (so a server and a CLI command appending to the same file do not
// interleave within a line) and fsynced, so an entry that Write returned survives an OS crash.
// It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Open opens (creating it, mode 0600) the audit file at path for appending.
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &Log{f: f, path: path}, nil
}

// Path returns the file the log appends to.
func (l *Log) Path() string { return l.path }

// Write appends e (Time set to now when zero) and syncs it to disk.
func (l *Log) Write(e Entry) error { return l.append(e, true) }

// Begin appends e, the started entry of a write, without syncing it: the entry of its result
// is synced (Write) before the write is answered, and takes this one along.
func (l *Log) Begin(e Entry) error {
	e.Result = ResultStarted
	return l.append(e, false)
}

func (l *Log) append(e Entry, sync bool) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("write audit entry: log closed")
	}
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	if !sync {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync audit log: %w", err)
	}
	return nil
}

// Close closes the file; later Writes fail.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Filter selects entries; the zero value selects all.
type Filter struct {
	Since, Until time.Time // inclusive bounds; zero: open
	Who          string    // exact token or user name
	Action       string    // a substring of the action ("activate", "/v1/events")
	Result       string    // exact result
}

func (f Filter) match(e *Entry) bool {
	return (f.Since.IsZero() || !e.Time.Before(f.Since)) && (f.Until.IsZero() || !e.Time.After(f.Until)) &&
		(f.Who == "" || e.Who == f.Who) && (f.Action == "" || strings.Contains(e.Action, f.Action)) &&
		(f.Result == "" || e.Result == f.Result)
}

// Read calls fn for each entry of r that f selects, in file order, until fn returns false. A
// started entry is left out when the entry of its result follows (same request id): what is
// left of it is a write that was cut off. A line that is not an entry (a torn last line after
// a crash) is an error naming its line.
func Read(r io.Reader, f Filter, fn func(Entry) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var all []Entry
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("read audit log: line %d: %w", n, err)
		}
		all = append(all, e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	// From the end: a started entry is ended when a result of its request id comes after it.
	ended := make([]bool, len(all))
	results := map[string]bool{}
	for i := len(all) - 1; i >= 0; i-- {
		switch e := &all[i]; {
		case e.RequestID == "":
		case e.Result != ResultStarted:
			results[e.RequestID] = true
		default:
			ended[i] = results[e.RequestID]
		}
	}
	for i := range all {
		if ended[i] {
			continue
		}
		if f.match(&all[i]) && !fn(all[i]) {
			return nil
		}
	}
	return nil
}

// PathBeside returns the default audit file of a store file: <store>.audit.jsonl beside it.
func PathBeside(store string) string { return store + ".audit.jsonl" }
