package dispatch

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// DupRule is the duplicate window of a class: open events of the same class within Radius
// metres and Window of each other are duplicate candidates.
type DupRule struct {
	Radius float64       // metres
	Window time.Duration // either side of the report time
}

// DefaultDupRule applies to classes without their own rule: 50 m and 24 h.
var DefaultDupRule = DupRule{Radius: 50, Window: 24 * time.Hour}

// DupConfig holds the duplicate rules per class. Keys are class codes, minor or major; a
// minor's own rule beats its major's, which beats Default.
type DupConfig struct {
	Default DupRule            // zero: DefaultDupRule
	ByClass map[string]DupRule // "0502", "06", "09010" …
	Limit   int                // most candidates returned; 0: 10
}

// For returns the rule that applies to a class.
func (c *DupConfig) For(class data.ClassRef) DupRule {
	if r, ok := c.ByClass[class.Code]; ok {
		return r
	}
	if r, ok := c.ByClass[class.Major()]; ok {
		return r
	}
	if c.Default.Radius > 0 {
		return c.Default
	}
	return DefaultDupRule
}

func (c *DupConfig) limit() int {
	if c.Limit > 0 {
		return c.Limit
	}
	return 10
}

// Duplicate is a candidate earlier report of the same thing.
type Duplicate struct {
	EventID       string        `json:"event_id"`
	Distance      float64       `json:"distance_m"`
	Apart         time.Duration `json:"-"`
	ApartHours    float64       `json:"apart_hours"`
	SameComponent bool          `json:"same_component"`
}

// dupIndex finds open events by class near a point and a time. It files each event under its
// time bucket (3 days), then under (class, ~500 m lon/lat cell), so a query touches the few
// cells its circle and window cover: the work depends on how many events share the class, the
// place and the time, not on how many events are open in the city. One small map per time
// bucket keeps the maps a query touches small (and warm in cache: new reports query the recent
// buckets) however long the feed's history grows. Not safe for concurrent use; the Feed
// guards it.
type dupIndex struct {
	cellDeg float64 // cell side in degrees of latitude
	bucket  int64   // time bucket in seconds
	classes map[data.ClassRef]int32
	buckets map[int32]map[cellKey][]*dupEntry
	byComp  map[string][]*dupEntry
	byID    map[string]*dupEntry
}

type cellKey struct {
	class  int32
	cx, cy int32
}

type dupEntry struct {
	id       string
	p        orb.Point
	class    data.ClassRef
	reported int64 // unix seconds
	comp     string
	key      cellKey
	tb       int32 // time bucket
	pos      int   // index in cells[key]
	compPos  int   // index in byComp[comp]
}

const (
	dupCellDeg = 0.005     // ≈ 550 m of latitude: a 50 m circle mostly touches 1 cell
	dupBucket  = 72 * 3600 // seconds: a ±24 h window touches 1–2 buckets
	// dupBoxPad widens the search box: it is sized on the ellipsoid (geo.MetresPerDegree) while
	// the exact test is the great circle on the mean sphere, and the two differ by < 0.5 % in
	// China, so the padded box never misses a duplicate.
	dupBoxPad = 1.01
)

func newDupIndex() *dupIndex {
	return &dupIndex{cellDeg: dupCellDeg, bucket: dupBucket, classes: map[data.ClassRef]int32{},
		buckets: map[int32]map[cellKey][]*dupEntry{}, byComp: map[string][]*dupEntry{}, byID: map[string]*dupEntry{}}
}

func (x *dupIndex) classID(c data.ClassRef, add bool) (int32, bool) {
	id, ok := x.classes[c]
	if !ok && add {
		id = int32(len(x.classes))
		x.classes[c] = id
		ok = true
	}
	return id, ok
}

func (x *dupIndex) cell(p orb.Point) (int32, int32) {
	return int32(math.Floor(p[0] / x.cellDeg)), int32(math.Floor(p[1] / x.cellDeg))
}

func (x *dupIndex) len() int { return len(x.byID) }

// add indexes an open event, replacing any entry with the same id.
func (x *dupIndex) add(e *data.Event) {
	x.remove(e.ID)
	cid, _ := x.classID(e.Class, true)
	cx, cy := x.cell(e.Point)
	rep := e.Reported.Unix()
	en := &dupEntry{id: e.ID, p: e.Point, class: e.Class, reported: rep, comp: e.Component,
		key: cellKey{class: cid, cx: cx, cy: cy}, tb: int32(floorDiv(rep, x.bucket))}
	cells := x.buckets[en.tb]
	if cells == nil {
		cells = map[cellKey][]*dupEntry{}
		x.buckets[en.tb] = cells
	}
	en.pos = len(cells[en.key])
	cells[en.key] = append(cells[en.key], en)
	if en.comp != "" {
		en.compPos = len(x.byComp[en.comp])
		x.byComp[en.comp] = append(x.byComp[en.comp], en)
	}
	x.byID[e.ID] = en
}

// remove drops an event (closed or moved); a missing id is fine.
func (x *dupIndex) remove(id string) {
	en, ok := x.byID[id]
	if !ok {
		return
	}
	delete(x.byID, id)
	cells := x.buckets[en.tb]
	cells[en.key] = swapRemove(cells[en.key], en.pos, func(m *dupEntry, i int) { m.pos = i })
	if len(cells[en.key]) == 0 {
		delete(cells, en.key)
		if len(cells) == 0 {
			delete(x.buckets, en.tb)
		}
	}
	if en.comp != "" {
		x.byComp[en.comp] = swapRemove(x.byComp[en.comp], en.compPos, func(m *dupEntry, i int) { m.compPos = i })
		if len(x.byComp[en.comp]) == 0 {
			delete(x.byComp, en.comp)
		}
	}
}

// swapRemove removes s[i] by moving the last entry into its place and telling it its new index.
func swapRemove(s []*dupEntry, i int, moved func(*dupEntry, int)) []*dupEntry {
	last := len(s) - 1
	s[i] = s[last]
	moved(s[i], i)
	s[last] = nil
	return s[:last]
}

// dupQuery is one duplicate search.
type dupQuery struct {
	P         orb.Point
	Class     data.ClassRef
	Component string
	At        time.Time
	Rule      DupRule
	Exclude   string // the event's own id when re-checking a filed event
	Limit     int
}

// find appends candidates to buf, ranked: same component first, then by distance, then by time
// apart.
func (x *dupIndex) find(q dupQuery, buf []Duplicate) []Duplicate {
	at := q.At.Unix()
	win := int64(q.Rule.Window / time.Second)
	start := len(buf)
	if q.Component != "" {
		for _, en := range x.byComp[q.Component] {
			if en.id == q.Exclude {
				continue
			}
			buf = append(buf, dupOf(en, q.P, at, true))
		}
	}
	if cid, ok := x.classID(q.Class, false); ok && q.Rule.Radius > 0 {
		kx, ky := geo.MetresPerDegree(q.P[1])
		dlat := q.Rule.Radius * dupBoxPad / ky
		dlon := q.Rule.Radius * dupBoxPad / math.Max(kx, 0.01*ky) // kx → 0 at the poles
		x0, y0 := x.cell(orb.Point{q.P[0] - dlon, q.P[1] - dlat})
		x1, y1 := x.cell(orb.Point{q.P[0] + dlon, q.P[1] + dlat})
		t0, t1 := int32(floorDiv(at-win, x.bucket)), int32(floorDiv(at+win, x.bucket))
		for tb := t0; tb <= t1; tb++ {
			cells := x.buckets[tb]
			if cells == nil {
				continue
			}
			for cy := y0; cy <= y1; cy++ {
				for cx := x0; cx <= x1; cx++ {
					for _, en := range cells[cellKey{class: cid, cx: cx, cy: cy}] {
						// Same-component events were taken above.
						if en.id == q.Exclude || abs64(en.reported-at) > win || (q.Component != "" && en.comp == q.Component) {
							continue
						}
						d := geo.Distance(q.P, en.p)
						if d > q.Rule.Radius {
							continue
						}
						dup := dupOf(en, q.P, at, false)
						dup.Distance = d
						buf = append(buf, dup)
					}
				}
			}
		}
	}
	found := buf[start:]
	if len(found) > 1 { // slices.SortFunc does not allocate: a query makes no garbage
		slices.SortFunc(found, func(a, b Duplicate) int {
			switch {
			case a.SameComponent != b.SameComponent:
				if a.SameComponent {
					return -1
				}
				return 1
			case a.Distance != b.Distance:
				return cmp.Compare(a.Distance, b.Distance)
			}
			return cmp.Compare(a.Apart, b.Apart)
		})
	}
	if q.Limit > 0 && len(found) > q.Limit {
		buf = buf[:start+q.Limit]
	}
	return buf
}

func dupOf(en *dupEntry, p orb.Point, at int64, same bool) Duplicate {
	apart := time.Duration(abs64(en.reported-at)) * time.Second
	return Duplicate{EventID: en.id, Distance: geo.Distance(p, en.p), Apart: apart,
		ApartHours: math.Round(apart.Hours()*100) / 100, SameComponent: same}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// dupRuleJSON is a DupRule as configured: metres and hours.
type dupRuleJSON struct {
	Radius float64 `json:"radius_m"`
	Window float64 `json:"window_hours"`
}

// ParseDupConfig reads duplicate rules as JSON:
//
//	{"default": {"radius_m": 50, "window_hours": 24},
//	 "classes": {"0505": {"radius_m": 30, "window_hours": 2}, "06": {...}},
//	 "limit": 10}
func ParseDupConfig(r io.Reader) (DupConfig, error) {
	var doc struct {
		Default *dupRuleJSON           `json:"default"`
		Classes map[string]dupRuleJSON `json:"classes"`
		Limit   int                    `json:"limit"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return DupConfig{}, fmt.Errorf("decode duplicate rules: %w", err)
	}
	conv := func(field string, j dupRuleJSON) (DupRule, error) {
		// A window under a second is no window: 1e-15 h would become a zero Duration.
		if !(j.Radius > 0 && j.Radius <= 10_000) || !(j.Window >= 1.0/3600 && j.Window <= 24*366) {
			return DupRule{}, fmt.Errorf("duplicate rule %s: want 0 < radius_m ≤ 10000 and window_hours from 1/3600 (a second) to 8784, got %g m, %g h", field, j.Radius, j.Window)
		}
		return DupRule{Radius: j.Radius, Window: time.Duration(j.Window * float64(time.Hour))}, nil
	}
	cfg := DupConfig{Limit: doc.Limit, ByClass: map[string]DupRule{}}
	if doc.Limit < 0 {
		return DupConfig{}, fmt.Errorf("duplicate rules: limit %d < 0", doc.Limit)
	}
	if doc.Default != nil {
		d, err := conv("default", *doc.Default)
		if err != nil {
			return DupConfig{}, err
		}
		cfg.Default = d
	}
	for code, j := range doc.Classes {
		if l := len(code); (l != 2 && l != 4 && l != 5) || strings.Trim(code, "0123456789") != "" {
			return DupConfig{}, fmt.Errorf("duplicate rule classes[%q]: want a 2-, 4- or 5-digit class code", code)
		}
		d, err := conv(fmt.Sprintf("classes[%q]", code), j)
		if err != nil {
			return DupConfig{}, err
		}
		cfg.ByClass[code] = d
	}
	return cfg, nil
}
