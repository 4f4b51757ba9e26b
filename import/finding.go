package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"citygeo/schema"
)

// Severity says whether a finding blocks an import.
type Severity string

// Errors block an import; warnings are reported and let it through.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem with one feature.
type Finding struct {
	Check    string      `json:"check"`     // stable name of the rule, e.g. "grid.community_prefix"
	Severity Severity    `json:"severity"`  //
	Layer    schema.Kind `json:"layer"`     //
	Index    int         `json:"index"`     // 0-based feature index within its source layer (or the dataset layer)
	SourceID string      `json:"source_id"` // the feature's code or id as given
	Field    string      `json:"field,omitempty"`
	Value    string      `json:"value,omitempty"`
	Reason   string      `json:"reason"`
	File     string      `json:"file,omitempty"`
}

// Report is the outcome of validating one import.
type Report struct {
	Files    []string            `json:"files"`
	Counts   map[schema.Kind]int `json:"counts"` // features read per kind
	Errors   int                 `json:"errors"`
	Warnings int                 `json:"warnings"`
	Findings []Finding           `json:"findings"`
	// Omitted counts, per check, the warnings not listed in Findings: a warning that fires
	// for every feature (a missing department on 2M components) is listed MaxWarningsListed
	// times and counted, instead of costing seconds and hundreds of MB as a list nobody reads.
	// Errors are always listed.
	Omitted map[string]int `json:"omitted,omitempty"`
	Sources []*SourceInfo  `json:"sources"`

	listed map[string]int // warnings listed per check
}

// MaxWarningsListed is how many warnings of one check a Report lists; the rest are counted in
// Report.Omitted.
const MaxWarningsListed = 20

// SourceInfo says how one source layer was read.
type SourceInfo struct {
	Path     string      `json:"path"`
	Layer    string      `json:"layer"`
	Format   Format      `json:"format"`
	Kind     schema.Kind `json:"kind"`
	CRS      string      `json:"crs"`
	Charset  string      `json:"charset,omitempty"`
	Features int         `json:"features"`
}

func (r *Report) add(f Finding) {
	if f.Severity == SeverityError {
		r.Errors++
	} else {
		r.Warnings++
		if r.listed[f.Check] >= MaxWarningsListed {
			if r.Omitted == nil {
				r.Omitted = map[string]int{}
			}
			r.Omitted[f.Check]++
			return
		}
		if r.listed == nil {
			r.listed = map[string]int{}
		}
		r.listed[f.Check]++
	}
	r.Findings = append(r.Findings, f)
}

// OK reports whether nothing blocks the import.
func (r *Report) OK() bool { return r.Errors == 0 }

// Checks returns the distinct check names found, sorted.
func (r *Report) Checks() []string {
	set := map[string]bool{}
	for _, f := range r.Findings {
		set[f.Check] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteSummary writes a readable summary: what was read, then each check with its count and
// up to maxExamples findings.
func (r *Report) WriteSummary(w io.Writer, maxExamples int) error {
	var b strings.Builder
	for _, s := range r.Sources {
		cs := ""
		if s.Charset != "" {
			cs = ", " + s.Charset
		}
		fmt.Fprintf(&b, "%s [%s] → %s: %d features (%s, %s%s)\n", s.Path, s.Layer, s.Kind, s.Features, s.Format, s.CRS, cs)
	}
	fmt.Fprintf(&b, "%d errors, %d warnings\n", r.Errors, r.Warnings)
	byCheck := map[string][]Finding{}
	var order []string
	for _, f := range r.Findings {
		if byCheck[f.Check] == nil {
			order = append(order, f.Check)
		}
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}
	for _, c := range order {
		fs := byCheck[c]
		n := len(fs) + r.Omitted[c]
		fmt.Fprintf(&b, "  %-7s %-28s %d\n", fs[0].Severity, c, n)
		for i, f := range fs {
			if i == maxExamples {
				fmt.Fprintf(&b, "          … %d more\n", n-i)
				break
			}
			fmt.Fprintf(&b, "          %s #%d %s", f.Layer, f.Index, f.SourceID)
			if f.Field != "" {
				fmt.Fprintf(&b, " %s=%q", f.Field, f.Value)
			}
			fmt.Fprintf(&b, ": %s\n", f.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
