package gazetteer

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// Patched is an index with edits of its addresses and POIs laid over it, answering as if it had
// been rebuilt with them: the edited features come from a small index of their own (built by
// the same New, so matched by the same normalisation and parsing), and the base's answers that
// stand on a changed or deleted feature are withheld. Building one costs milliseconds for the
// few hundred edits a city serves between rebuilds, against seconds for the base. A Patched
// never changes; it is safe for concurrent use.
type Patched struct {
	base   *Index // the base, answering without the hidden features
	delta  *Index // the edited features alone (nil: none left after deletes)
	hidden Hidden
}

// Hidden names the base features an edit changed or deleted, by id: the base must not answer
// with them (their current form, if any, is in the patch's own index).
type Hidden struct {
	Addresses map[uint64]bool
	POIs      map[uint64]bool
}

func (h *Hidden) addr(ix *Index, a *addr) bool {
	return h != nil && a.src != 0 && h.Addresses[ix.srcOf(a).ID]
}

func (h *Hidden) poi(ix *Index, p *poi) bool {
	return h != nil && p.src != 0 && h.POIs[ix.poiSrc(p).ID]
}

// Patch returns ix with edited laid over it: edited holds the addresses and POIs as edited
// (created or updated; a deleted one is only hidden), hidden the base ids every edit touched.
// An edited dataset no index can hold is an error naming the feature.
func (ix *Index) Patch(edited *data.Dataset, hidden Hidden) (*Patched, error) {
	view := *ix // shares every table; only the hidden set differs
	view.hidden = &hidden
	p := &Patched{base: &view, hidden: hidden}
	if len(edited.Addresses)+len(edited.POIs) == 0 {
		return p, nil
	}
	// The deployment's areas make the small index read the same admin prefixes as the base
	// (南山区人民路12号), and the base roads its addresses name read their road names as the
	// base does (罗湖桥一路 stays a road, not 罗湖 + 桥一路).
	ds := &data.Dataset{Version: edited.Version, Areas: ix.areaList(), Roads: ix.roadsOf(edited.Addresses),
		Addresses: edited.Addresses, POIs: edited.POIs}
	d, err := New(ds, ix.opts)
	if err != nil {
		return nil, err
	}
	p.delta = d
	return p, nil
}

// areaList returns the base's areas in code order (New indexes them by name and code).
func (ix *Index) areaList() []*data.Area {
	out := make([]*data.Area, 0, len(ix.areaBy))
	for _, a := range ix.areaBy {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *data.Area) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// roadsOf returns the base's roads that addresses name, as lines of a dataset.
func (ix *Index) roadsOf(addrs []*data.Address) []*data.Road {
	var out []*data.Road
	seen := map[int32]bool{}
	for _, a := range addrs {
		base, _, _, _ := splitRoadName(NormalizeString(a.Road))
		ri, ok := ix.byName[base]
		if !ok || seen[ri] {
			continue
		}
		seen[ri] = true
		r := ix.roads[ri]
		for _, l := range r.lines {
			out = append(out, &data.Road{ID: uint64(len(out) + 1), Name: r.display, Line: l})
		}
	}
	return out
}

// Geocode is Index.Geocode over the patched data: the base's candidates (those standing on a
// hidden feature withheld, so a deleted 门牌 falls back to an estimate, flagged) and the edited
// features' exact matches, merged by score (an edit first among equals).
func (p *Patched) Geocode(q string, opt Query) []Candidate {
	out := p.base.Geocode(q, opt)
	if p.delta == nil {
		return out
	}
	limit := max(opt.Limit, DefaultLimit)
	var add []Candidate
	for _, c := range p.delta.Geocode(q, opt) {
		// Only what the edits hold exactly: the small index's estimates and roads know too
		// little of the city to stand beside the base's.
		if c.Reason == ReasonExact && (c.Level == LevelHouse || c.Level == LevelPOI || c.Level == LevelBuilding) {
			add = append(add, c)
		}
	}
	if len(add) == 0 {
		return out
	}
	// A rebuilt index answers an exact match alone at its level: the base's estimate of the
	// same asked 门牌 (or its fuzzy POI names) would not be there.
	out = slices.DeleteFunc(out, func(c Candidate) bool {
		return c.Reason != ReasonExact && slices.ContainsFunc(add, func(a Candidate) bool { return a.Asked == c.Asked && a.Level == c.Level })
	})
	out = append(add, out...)
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	return dedupe(out, limit)
}

// Reverse is Index.Reverse over the patched data.
func (p *Patched) Reverse(pt orb.Point, radius float64) Reverse {
	return p.ReverseWith(pt, ReverseQuery{Radius: radius})
}

// ReverseWith is Index.ReverseWith over the patched data: the nearest 门牌 and POI are the
// nearer of the base's (hidden ones skipped) and the edited ones', and the lists of POIs merge
// both by distance.
func (p *Patched) ReverseWith(pt orb.Point, q ReverseQuery) Reverse {
	bq := q
	if q.POIs > 0 {
		bq.POIs = q.POIs + len(p.hidden.POIs) // room for the hidden ones dropped below
	}
	r := p.base.ReverseWith(pt, bq)
	r.POIs = slices.DeleteFunc(r.POIs, func(n Nearby) bool { return p.hiddenID(n.ID) })
	if p.delta == nil {
		r.POIs = r.POIs[:min(len(r.POIs), q.POIs)]
		return r
	}
	d := p.delta.ReverseWith(pt, ReverseQuery{Radius: q.Radius, POIs: q.POIs})
	changed := false
	if d.House != nil && (r.House == nil || d.House.Distance < r.House.Distance) {
		r.House, changed = d.House, true
	}
	if d.POI != nil && (r.POI == nil || d.POI.Distance < r.POI.Distance) {
		r.POI, changed = d.POI, true
	}
	if changed {
		r.describe()
	}
	r.POIs = append(r.POIs, d.POIs...)
	slices.SortStableFunc(r.POIs, func(a, b Nearby) int { return cmp.Compare(a.Distance, b.Distance) })
	r.POIs = r.POIs[:min(len(r.POIs), q.POIs)]
	return r
}

// Suggest is Index.Suggest over the patched data: the edited POIs matching the prefix first
// (a name just typed in is the likeliest one sought), then the base's, hidden POIs withheld.
func (p *Patched) Suggest(prefix string, limit int) []Suggestion {
	if limit <= 0 {
		limit = 10
	}
	var out []Suggestion
	if p.delta != nil {
		for _, s := range p.delta.Suggest(prefix, limit) {
			if s.Kind == KindPOI.String() {
				out = append(out, s)
			}
		}
	}
	for _, s := range p.base.Suggest(prefix, limit+len(p.hidden.POIs)) {
		if len(out) == limit {
			break
		}
		if !p.hiddenID(s.ID) {
			out = append(out, s)
		}
	}
	return out
}

// hiddenID reports whether a POI id of a suggestion or nearby list (poi:12) is hidden.
func (p *Patched) hiddenID(id string) bool {
	if len(id) < 5 || id[:4] != "poi:" {
		return false
	}
	n, err := strconv.ParseUint(id[4:], 10, 64)
	return err == nil && p.hidden.POIs[n]
}
