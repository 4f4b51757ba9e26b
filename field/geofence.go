package field

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/geo"
)

// FenceKind is what a fence guards.
type FenceKind string

// The kinds of fence.
const (
	// FenceForbidden is a no-entry zone (muck trucks out of a residential quarter): entering it
	// is an alert for the roles it names.
	FenceForbidden FenceKind = "forbidden"
	// FenceAssigned is the zone a patroller is assigned to (责任网格): leaving it during the
	// fence's hours is an alert. The people and zones model will provide these; until then a
	// fence file does.
	FenceAssigned FenceKind = "assigned"
)

// Fence is one geofence.
type Fence struct {
	ID      string
	Name    string
	Kind    FenceKind
	Area    orb.Geometry // Polygon or MultiPolygon, CGCS2000 lon/lat
	Roles   []string     // forbidden: the roles it applies to; none: every device
	Devices []string     // assigned: the devices assigned to it
	// From and To bound the hours (GMT+8, minutes after midnight) an assigned fence is watched:
	// a shift. Equal: all day.
	From, To int

	prep *geo.Prepared
}

// AlertKind says what an alert is about.
type AlertKind string

// The kinds of alert.
const (
	AlertEnteredForbidden AlertKind = "entered_forbidden" // 进入禁入区
	AlertLeftZone         AlertKind = "left_zone"         // 离开责任区
	AlertStationary       AlertKind = "stationary"        // 长时间停留
)

// Alert is one geofence alert.
type Alert struct {
	Seq    uint64    `json:"seq"` // increasing; SSE event ids
	Kind   AlertKind `json:"kind"`
	Device string    `json:"device"`
	Name   string    `json:"name,omitempty"`
	Fence  string    `json:"fence,omitempty"`
	Time   time.Time `json:"time"` // of the fix that raised it
	Lng    float64   `json:"lng"`
	Lat    float64   `json:"lat"`
	Detail string    `json:"detail"`
}

// FenceOptions configures a Fences watcher. The zero value watches no fences and raises a
// stationary alert after 15 minutes within 30 m.
type FenceOptions struct {
	Fences      []Fence
	StillFor    time.Duration // 0: DefaultStillFor; negative: no stationary alerts
	StillRadius float64       // metres; 0: DefaultStillRadius
	Keep        int           // alerts kept for the list; 0: DefaultKeepAlerts
}

// Defaults of FenceOptions.
const (
	DefaultStillFor    = 15 * time.Minute
	DefaultStillRadius = 30.0
	DefaultKeepAlerts  = 10_000
)

// Fences watches stored fixes against the geofences and for standing still, and keeps the
// alerts as a feed: a list and subscriptions. Attach it to a Force with Force.SubscribeFixes
// (Watch does). It is safe for concurrent use.
type Fences struct {
	opts FenceOptions
	reg  *Registry

	mu     sync.Mutex
	state  map[string]*fenceState
	alerts []Alert // the last Keep, oldest first
	seq    uint64
	subs   map[chan Alert]struct{}
}

// fenceState is what the watcher remembers of a device.
type fenceState struct {
	last     time.Time       // time of the last fix checked
	inside   map[string]bool // fence id → inside at the last fix
	anchor   orb.Point       // where the device has stood since anchorAt
	anchorAt time.Time
	stillHit bool // the stationary alert for this stand was raised
}

// NewFences checks the fences and builds the watcher.
func NewFences(opts FenceOptions, reg *Registry) (*Fences, error) {
	if opts.StillFor == 0 {
		opts.StillFor = DefaultStillFor
	}
	if opts.StillRadius <= 0 {
		opts.StillRadius = DefaultStillRadius
	}
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeepAlerts
	}
	seen := map[string]bool{}
	for i := range opts.Fences {
		fc := &opts.Fences[i]
		switch {
		case fc.ID == "" || seen[fc.ID]:
			return nil, fmt.Errorf("fence %d: id %q missing or used twice", i+1, fc.ID)
		case fc.Kind != FenceForbidden && fc.Kind != FenceAssigned:
			return nil, fmt.Errorf("fence %s: kind %q: want %q or %q", fc.ID, fc.Kind, FenceForbidden, FenceAssigned)
		case fc.From < 0 || fc.From > 24*60 || fc.To < 0 || fc.To > 24*60:
			return nil, fmt.Errorf("fence %s: hours out of range", fc.ID)
		}
		switch fc.Area.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			return nil, fmt.Errorf("fence %s: want a Polygon or MultiPolygon", fc.ID)
		}
		seen[fc.ID] = true
		fc.prep = geo.Prepare(fc.Area)
	}
	return &Fences{opts: opts, reg: reg, state: map[string]*fenceState{}, subs: map[chan Alert]struct{}{}}, nil
}

// Watch attaches fs to f: every group of fixes f stores is checked as soon as it is stored.
func (fs *Fences) Watch(f *Force) { f.SubscribeFixes(fs.Check) }

// Check applies stored fixes (in arrival order) and raises alerts. A fix older than the last
// one checked for its device (a blind-area re-send) is history, not news: it raises nothing.
func (fs *Fences) Check(fixes []data.Fix) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fixes {
		fx := &fixes[i]
		st := fs.state[fx.Device]
		if st == nil {
			st = &fenceState{inside: map[string]bool{}, anchor: fx.Point, anchorAt: fx.Time}
			fs.state[fx.Device] = st
		} else if !fx.Time.After(st.last) {
			continue
		}
		silent := fx.Time.Sub(st.last)
		st.last = fx.Time
		dev := fs.reg.Device(fx.Device)
		for k := range fs.opts.Fences {
			fc := &fs.opts.Fences[k]
			if !fc.appliesTo(fx.Device, dev) {
				continue
			}
			if fc.Kind == FenceAssigned && !fc.watched(fx.Time) {
				delete(st.inside, fc.ID) // off shift: the next fix of the shift starts afresh
				continue
			}
			in := fc.prep.Bound().Contains(fx.Point) && fc.prep.Contains(fx.Point)
			was, known := st.inside[fc.ID]
			st.inside[fc.ID] = in
			switch {
			case fc.Kind == FenceForbidden && in && (!known || !was):
				fs.raise(AlertEnteredForbidden, fx, dev, fc, "entered "+fc.Name)
			case fc.Kind == FenceAssigned && !in && (!known || was):
				fs.raise(AlertLeftZone, fx, dev, fc, "outside "+fc.Name)
			}
		}
		if fs.opts.StillFor > 0 {
			// Silent longer than StillFor (switched off overnight) says nothing of standing:
			// the stand starts afresh.
			if geo.Distance(st.anchor, fx.Point) > fs.opts.StillRadius || silent > fs.opts.StillFor {
				st.anchor, st.anchorAt, st.stillHit = fx.Point, fx.Time, false
			} else if !st.stillHit && fx.Time.Sub(st.anchorAt) >= fs.opts.StillFor {
				st.stillHit = true
				fs.raise(AlertStationary, fx, dev, nil, fmt.Sprintf("within %.0f m for %v", fs.opts.StillRadius, fx.Time.Sub(st.anchorAt).Round(time.Second)))
			}
		}
	}
}

// appliesTo reports whether the fence concerns the device.
func (fc *Fence) appliesTo(id string, d *data.Device) bool {
	if fc.Kind == FenceAssigned {
		return slices.Contains(fc.Devices, id)
	}
	return len(fc.Roles) == 0 || (d != nil && slices.Contains(fc.Roles, d.Role))
}

// watched reports whether an assigned fence is watched at t (its shift).
func (fc *Fence) watched(t time.Time) bool {
	if fc.From == fc.To {
		return true
	}
	l := t.In(CST)
	m := l.Hour()*60 + l.Minute()
	if fc.From < fc.To {
		return m >= fc.From && m < fc.To
	}
	return m >= fc.From || m < fc.To // a night shift across midnight
}

// raise records an alert and hands it to every subscriber. Called with mu held.
func (fs *Fences) raise(kind AlertKind, fx *data.Fix, d *data.Device, fc *Fence, detail string) {
	fs.seq++
	a := Alert{Seq: fs.seq, Kind: kind, Device: fx.Device, Time: fx.Time, Lng: fx.Point[0], Lat: fx.Point[1], Detail: detail}
	if d != nil {
		a.Name = d.Name
	}
	if fc != nil {
		a.Fence = fc.ID
	}
	fs.alerts = append(fs.alerts, a)
	if len(fs.alerts) > fs.opts.Keep {
		fs.alerts = slices.Delete(fs.alerts, 0, len(fs.alerts)-fs.opts.Keep)
	}
	for ch := range fs.subs {
		select {
		case ch <- a:
		default: // a subscriber that does not keep up loses alerts rather than holding the store up; it can list them
		}
	}
}

// Since returns the alerts kept with a sequence number above seq, oldest first.
func (fs *Fences) Since(seq uint64) []Alert {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	i, _ := slices.BinarySearchFunc(fs.alerts, seq+1, func(a Alert, s uint64) int { return cmp.Compare(a.Seq, s) })
	return slices.Clone(fs.alerts[i:])
}

// Subscribe returns a channel of the alerts raised from now on, and the function that ends the
// subscription. The channel holds 256 alerts; a subscriber further behind misses alerts (and
// can fetch them with Since).
func (fs *Fences) Subscribe() (<-chan Alert, func()) {
	ch := make(chan Alert, 256)
	fs.mu.Lock()
	fs.subs[ch] = struct{}{}
	fs.mu.Unlock()
	return ch, func() {
		fs.mu.Lock()
		delete(fs.subs, ch)
		fs.mu.Unlock()
	}
}

// ParseFences reads fences from a GeoJSON FeatureCollection: each feature a Polygon or
// MultiPolygon with properties id, name, kind (forbidden|assigned), roles, devices, and for an
// assigned fence optional hours "08:00-18:00".
func ParseFences(r io.Reader) ([]Fence, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("parse fences: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("parse fences: %w", err)
	}
	var out []Fence
	for i, ft := range fc.Features {
		var p struct {
			ID, Name, Kind, Hours string
			Roles, Devices        []string
		}
		raw, _ := json.Marshal(ft.Properties)
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("fence %d: properties: %w", i+1, err)
		}
		f := Fence{ID: p.ID, Name: p.Name, Kind: FenceKind(p.Kind), Area: ft.Geometry, Roles: p.Roles, Devices: p.Devices}
		if p.Hours != "" {
			// Each end as a duty list's clock: Sscanf("%d:%d-%d:%d") read 08:75 as 09:15 and
			// ignored what followed the last digit.
			from, to, ok := strings.Cut(p.Hours, "-")
			c1, err1 := data.ParseClock(from)
			c2, err2 := data.ParseClock(to)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("fence %s: hours %q: want HH:MM-HH:MM between 00:00 and 24:00", p.ID, p.Hours)
			}
			f.From, f.To = int(c1), int(c2)
		}
		if f.Name == "" {
			f.Name = f.ID
		}
		out = append(out, f)
	}
	return out, nil
}

// LoadFences reads the fence file at path.
func LoadFences(path string) ([]Fence, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load fences: %w", err)
	}
	defer f.Close()
	fs, err := ParseFences(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fs, nil
}
