package duty

import (
	"errors"
	"fmt"
	"strings"
)

// Finding is one problem in the duty lists: where it is (the file or list, the row as the user
// finds it — the CSV line with the header as line 1, the sheet row, or the 1-based JSON item —
// and the record's id), the field and value at fault, and why. An error blocks an import; a
// warning does not.
type Finding struct {
	Source  string `json:"source"`
	Row     int    `json:"row,omitempty"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning,omitempty"`
}

// String returns `people.csv row 5 (P001): phone "12": not a phone number`.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Source)
	if f.Row > 0 {
		fmt.Fprintf(&b, " row %d", f.Row)
	}
	if f.ID != "" {
		fmt.Fprintf(&b, " (%s)", f.ID)
	}
	b.WriteString(": ")
	if f.Warning {
		b.WriteString("warning: ")
	}
	if f.Field != "" {
		b.WriteString(f.Field)
		if f.Value != "" {
			fmt.Fprintf(&b, " %q", f.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(f.Reason)
	return b.String()
}

// Findings is every problem found in a roster.
type Findings []Finding

// Errors returns the number of findings that block an import.
func (fs Findings) Errors() int {
	n := 0
	for _, f := range fs {
		if !f.Warning {
			n++
		}
	}
	return n
}

// Err returns a *RejectedError holding fs when any of them is an error, else nil.
func (fs Findings) Err() error {
	if fs.Errors() == 0 {
		return nil
	}
	return &RejectedError{Findings: fs}
}

// ErrRejected is wrapped by RejectedError: the duty lists have errors and were not taken.
var ErrRejected = errors.New("duty lists rejected")

// RejectedError carries the findings of rejected duty lists.
type RejectedError struct {
	Findings Findings
}

// Error lists the error findings, one a line.
func (e *RejectedError) Error() string {
	var errs []string
	for _, f := range e.Findings {
		if !f.Warning {
			errs = append(errs, f.String())
		}
	}
	if len(errs) == 1 {
		return "duty lists rejected: " + errs[0]
	}
	return fmt.Sprintf("duty lists rejected, %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
}

// Unwrap returns ErrRejected.
func (e *RejectedError) Unwrap() error { return ErrRejected }
