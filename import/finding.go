package importer

import (
	"encoding/json"
	"io"
	"sort"

	"citygeo/schema"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
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
	// Location is where the finding is, in CGCS2000 lon/lat: the offending coordinate when
	// the check names one (a grid vertex outside its community, a component's point outside
	// its grid), else the feature's geometry; nil when the finding has no place (a department,
	// a duplicate code of a feature without geometry, coordinates that are no place on Earth).
	Location *geojson.Geometry `json:"location,omitempty"`
}

// at returns g as a finding's location; nil for no geometry or one that is not lon/lat.
func at(g orb.Geometry) *geojson.Geometry {
	if g == nil || badCoords(g) {
		return nil
	}
	b := g.Bound()
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
		return nil
	}
	return geojson.NewGeometry(g)
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
	if r.counted(f.Check, f.Severity) {
		return
	}
	if f.Severity == SeverityError {
		r.Errors++
	} else {
		r.Warnings++
		if r.listed == nil {
			r.listed = map[string]int{}
		}
		r.listed[f.Check]++
	}
	r.Findings = append(r.Findings, f)
}

// counted reports whether a finding of check at sev would only be counted, not listed (a
// warning listed MaxWarningsListed times already), and counts it if so: a check that fires on
// every feature then need not build two million findings (their location, their reason) that
// add would drop.
func (r *Report) counted(check string, sev Severity) bool {
	if sev == SeverityError || r.listed[check] < MaxWarningsListed {
		return false
	}
	r.Warnings++
	if r.Omitted == nil {
		r.Omitted = map[string]int{}
	}
	r.Omitted[check]++
	return true
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
