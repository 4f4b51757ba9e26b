package field

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// CoverageOptions says how passes are recognised and what is asked of each road class. The
// zero value is the default.
type CoverageOptions struct {
	// Tolerance is how far from a segment a fix may lie and still be on it: GPS noise plus half
	// a road's width. 0: DefaultTolerance.
	Tolerance float64
	// MinCover is the share of a segment's length a pass must follow. 0: DefaultMinCover.
	MinCover float64
	// MaxGap ends a pass when the track is silent this long on it (a break indoors). 0:
	// DefaultMaxGap.
	MaxGap time.Duration
	// Targets are the passes a day asks per road class (主要路段不少于五遍，次要路段不少于四遍);
	// nil: DefaultTargets.
	Targets map[data.RoadClass]int
	// Locate, when set, names the grid of a point: each PersonCoverage then lists the grids its
	// track visited.
	Locate GridLocator
	// Assigned, when set, names each device's assigned zones: each PersonCoverage then gives the
	// time its track spent inside them.
	Assigned Assigner
}

// Defaults of CoverageOptions.
const (
	DefaultTolerance = 25.0
	DefaultMinCover  = 0.7
	DefaultMaxGap    = 5 * time.Minute
)

// DefaultTargets asks five passes of main roads and four of the others, as city patrol plans
// do.
var DefaultTargets = map[data.RoadClass]int{data.RoadExpressway: 5, data.RoadArterial: 5, data.RoadSecondary: 4, data.RoadBranch: 4}

func (o CoverageOptions) withDefaults() CoverageOptions {
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MinCover <= 0 {
		o.MinCover = DefaultMinCover
	}
	if o.MaxGap <= 0 {
		o.MaxGap = DefaultMaxGap
	}
	if o.Targets == nil {
		o.Targets = DefaultTargets
	}
	return o
}

// Passes counts how often a track (in time order) passed each segment of n: a pass is a stretch
// of the track that stays on one segment, in one direction, and follows at least MinCover of
// its length (all of it less the tolerance at each end, for a segment shorter than that). A
// patroller who walks a segment and back has passed it twice; one who stops halfway and turns
// back has not passed it.
func (n *Network) Passes(track []data.Fix, opts CoverageOptions) map[int]int {
	o := opts.withDefaults()
	out := map[int]int{}
	var st stretch
	st.seg = -1
	for i := range track {
		f := &track[i]
		m, ok := n.nearest(f.Point, o.Tolerance, st.seg)
		if !ok {
			continue // off the network (indoors, a square, noise): the stretch may go on after
		}
		if m.seg != st.seg || f.Time.Sub(st.last) > o.MaxGap {
			node := -1
			if st.seg >= 0 && f.Time.Sub(st.last) <= o.MaxGap {
				node = n.shared(st.seg, m.seg)
			}
			if node >= 0 {
				// The track went from one segment to the next through their common node, so it
				// passed the node: the fixes around it, kept on the old segment by the matcher's
				// preference, belong to both.
				st.reach(n.endAlong(st.seg, node), o)
			}
			st.close(n, o, out)
			if node >= 0 {
				a := n.endAlong(m.seg, node)
				st = stretch{seg: m.seg, start: a, ext: a}
				st.step(m.along, n, o, out)
			} else {
				st = stretch{seg: m.seg, start: m.along, ext: m.along}
			}
		} else {
			st.step(m.along, n, o, out)
		}
		st.last = f.Time
		st.fixes++
	}
	st.close(n, o, out)
	return out
}

// stretch is the part of a track being followed along one segment in one direction.
type stretch struct {
	seg        int       // -1: none
	start, ext float64   // where it began and the furthest it got, in metres along the segment
	dir        int       // +1 towards the segment's end, -1 back, 0 not moved past the tolerance yet
	fixes      int       // fixes on it
	last       time.Time // time of its last fix
}

// step moves the stretch to a, metres along its segment. A turn back by more than the
// tolerance ends the pass and starts another from the turning point; smaller wobbles are noise.
func (st *stretch) step(a float64, n *Network, o CoverageOptions, out map[int]int) {
	switch st.dir {
	case 0:
		if a-st.start > o.Tolerance {
			st.dir, st.ext = 1, a
		} else if st.start-a > o.Tolerance {
			st.dir, st.ext = -1, a
		}
	case 1:
		if a > st.ext {
			st.ext = a
		} else if a < st.ext-o.Tolerance {
			st.close(n, o, out)
			st.start, st.ext, st.dir, st.fixes = st.ext, a, -1, 0
		}
	case -1:
		if a < st.ext {
			st.ext = a
		} else if a > st.ext+o.Tolerance {
			st.close(n, o, out)
			st.start, st.ext, st.dir, st.fixes = st.ext, a, 1, 0
		}
	}
}

// reach extends the stretch to a (an end of its segment the track went on from) when a lies
// ahead in its direction, or gives it that direction when it has none yet.
func (st *stretch) reach(a float64, o CoverageOptions) {
	switch {
	case st.dir == 1 && a > st.ext, st.dir == -1 && a < st.ext:
		st.ext = a
	case st.dir == 0 && a != st.start:
		st.ext, st.dir = a, 1
		if a < st.start {
			st.dir = -1
		}
	}
}

// close counts the stretch as a pass when it followed enough of its segment. A segment no
// longer than twice the tolerance cannot show a direction: two fixes on it are a pass.
func (st *stretch) close(n *Network, o CoverageOptions, out map[int]int) {
	if st.seg < 0 {
		return
	}
	s := &n.Segments[st.seg]
	need := min(o.MinCover*s.Length, max(s.Length-2*o.Tolerance, 0))
	span := st.ext - st.start
	if span < 0 {
		span = -span
	}
	if (st.dir != 0 && span >= need) || (need == 0 && st.fixes >= 2) {
		out[st.seg]++
	}
}

// SegmentCoverage is how one person covered one segment in a day.
type SegmentCoverage struct {
	Segment int            `json:"segment"` // Network.Segments index
	Road    string         `json:"road"`
	Class   data.RoadClass `json:"class"`
	Part    int            `json:"part"`
	Length  float64        `json:"length_m"`
	Passes  int            `json:"passes"`
	Target  int            `json:"target"`
	Status  string         `json:"status"` // covered (passes ≥ target) or short
}

// PersonCoverage is one device's coverage of a day.
type PersonCoverage struct {
	Device   string            `json:"device"`
	Name     string            `json:"name,omitempty"`
	Team     string            `json:"team,omitempty"`
	Fixes    int               `json:"fixes"`
	Covered  int               `json:"covered"` // segments passed at least their target
	Short    int               `json:"short"`   // segments passed, fewer times than their target
	Segments []SegmentCoverage `json:"segments"`
	// Presence is set when the coverage was asked with Locate or Assigned.
	*Presence `json:",omitempty"`
}

// Coverage statuses.
const (
	Covered = "covered"
	Short   = "short"
)

// Coverage computes the coverage of the devices' tracks for the day [from, to), one device per
// core at a time. Segments a device did not pass are not listed: which segments it should have
// patrolled is its zone, which the people and zones model knows.
func (f *Force) Coverage(ctx context.Context, n *Network, devices []string, from, to time.Time, opts CoverageOptions) ([]PersonCoverage, error) {
	o := opts.withDefaults()
	out := make([]PersonCoverage, len(devices))
	errs := make([]error, len(devices))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, dev := range devices {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			track, err := f.Track(ctx, dev, from, to)
			if err != nil {
				errs[i] = fmt.Errorf("coverage of %s: %w", dev, err)
				return
			}
			pc := PersonCoverage{Device: dev, Fixes: len(track), Segments: []SegmentCoverage{}}
			d := f.opts.Devices.Device(dev)
			if d != nil {
				pc.Name, pc.Team = d.Name, d.Team
			}
			if o.Locate != nil || o.Assigned != nil {
				var zones []string
				var shapes []orb.Polygon
				if o.Assigned != nil && d != nil {
					zones, shapes = o.Assigned(d)
				}
				pr := TrackPresence(track, o.Locate, zones, shapes, o.MaxGap)
				pc.Presence = &pr
			}
			for seg, k := range n.Passes(track, o) {
				s := &n.Segments[seg]
				sc := SegmentCoverage{Segment: seg, Road: s.Road.Name, Class: s.Road.Class, Part: s.Part, Length: s.Length,
					Passes: k, Target: o.Targets[s.Road.Class], Status: Covered}
				if k < sc.Target {
					sc.Status = Short
					pc.Short++
				} else {
					pc.Covered++
				}
				pc.Segments = append(pc.Segments, sc)
			}
			slices.SortFunc(pc.Segments, func(a, b SegmentCoverage) int { return a.Segment - b.Segment })
			out[i] = pc
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
