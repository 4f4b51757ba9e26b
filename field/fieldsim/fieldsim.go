// Package fieldsim generates realistic days of the field force, with their ground truth:
// patrollers walking the road segments of their zones with GPS noise, gaps and breaks, and
// vehicles driving the network; for every patroller, which segments it really passed and how
// often. Coverage computed from the ingested tracks is checked against that truth.
//
// It is a generator for tests, benchmarks and demonstrations, not a model of any real city's
// patrols: the walks prefer the segments furthest from their targets, as a patroller with a
// plan does, and are otherwise random.
package fieldsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/field"
)

// Options describes a day. The zero value is 200 patrollers and 50 vehicles over eight hours
// from 08:00 (GMT+8) on 2026-11-20, a fix every 10 s.
type Options struct {
	Patrollers, Vehicles int
	Start                time.Time     // zero: 2026-11-20 08:00 GMT+8
	Hours                float64       // zero: 8
	Interval             time.Duration // between fixes; zero: 10 s
	Noise                float64       // GPS error, metres (σ of each axis); zero: 5
	// GapRate is the chance per fix that the receiver goes silent for 20–60 s (a tunnel, a
	// building's shadow); zero: 0.002. Negative: no gaps.
	GapRate float64
	// BreakRate is the chance at each intersection that a patroller stands for 5–20 minutes;
	// zero: 0.01. Negative: no breaks.
	BreakRate float64
	// ZoneSize is the segments in a patroller's zone; zero: as many as its targets (4 or 5
	// passes each) take in Hours at walking pace, as a patrol plan sizes a zone.
	ZoneSize int
	Seed     uint64
}

func (o Options) withDefaults() Options {
	if o.Patrollers == 0 && o.Vehicles == 0 {
		o.Patrollers, o.Vehicles = 200, 50
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 20, 8, 0, 0, 0, field.CST)
	}
	if o.Hours <= 0 {
		o.Hours = 8
	}
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Noise <= 0 {
		o.Noise = 5
	}
	if o.GapRate == 0 {
		o.GapRate = 0.002
	}
	if o.BreakRate == 0 {
		o.BreakRate = 0.01
	}
	return o
}

// zoneSize is Options.ZoneSize, or the segments a patroller walking 1.3 m/s passes 4.5 times
// each in the hours given (segments of the network's mean length).
func zoneSize(net *field.Network, o Options) int {
	if o.ZoneSize > 0 {
		return o.ZoneSize
	}
	var total float64
	for _, s := range net.Segments {
		total += s.Length
	}
	mean := total / float64(len(net.Segments))
	return max(4, int(1.3*o.Hours*3600/(4.5*mean)))
}

// Day is a generated day.
type Day struct {
	Devices []data.Device          // patrollers (p-NNN, persons) and vehicles (phone numbers)
	Tracks  map[string][]data.Fix  // every device's fixes in time order
	Zones   map[string][]int       // each patroller's zone: segment ids
	Truth   map[string]map[int]int // each patroller's passes per segment, as walked
	Net     *field.Network
}

// Fixes returns the number of fixes of the day.
func (d *Day) Fixes() int {
	n := 0
	for _, t := range d.Tracks {
		n += len(t)
	}
	return n
}

// Generate walks a day over net.
func Generate(net *field.Network, opts Options) (*Day, error) {
	o := opts.withDefaults()
	if len(net.Segments) == 0 {
		return nil, fmt.Errorf("fieldsim: the network has no segments")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x6669656c64))
	d := &Day{Tracks: map[string][]data.Fix{}, Zones: map[string][]int{}, Truth: map[string]map[int]int{}, Net: net}
	end := o.Start.Add(time.Duration(o.Hours * float64(time.Hour)))
	size := zoneSize(net, o)
	for i := range o.Patrollers {
		id := fmt.Sprintf("p-%03d", i+1)
		d.Devices = append(d.Devices, data.Device{ID: id, Kind: data.DevicePerson, Subject: fmt.Sprintf("P%03d", i+1),
			Name: fmt.Sprintf("巡查员%03d", i+1), Role: "patroller", Team: fmt.Sprintf("第%d中队", i/20+1)})
		zone := zoneAround(net, rng, size)
		d.Zones[id] = zone
		w := &walker{net: net, rng: rng, o: o, dev: id, speed: 1.1 + 0.4*rng.Float64(), zone: setOf(zone),
			truth: map[int]int{}, targets: field.DefaultTargets}
		w.walk(net.Segments[zone[0]].From, end)
		d.Tracks[id], d.Truth[id] = w.fixes, w.truth
	}
	for i := range o.Vehicles {
		id := fmt.Sprintf("1390000%04d", i+1)
		d.Devices = append(d.Devices, data.Device{ID: id, Kind: data.DeviceVehicle, Subject: fmt.Sprintf("粤B%05d", i+1),
			Name: fmt.Sprintf("粤B%05d", i+1), Role: "sanitation", Team: "环卫车队"})
		w := &walker{net: net, rng: rng, o: o, dev: id, speed: 7 + 5*rng.Float64(), truth: map[int]int{}, vehicle: true}
		w.walk(net.Segments[rng.IntN(len(net.Segments))].From, end)
		d.Tracks[id] = w.fixes
	}
	return d, nil
}

// zoneAround grows a connected set of segments from a random one, breadth first.
func zoneAround(net *field.Network, rng *rand.Rand, size int) []int {
	seen := map[int]bool{}
	start := rng.IntN(len(net.Segments))
	queue, zone := []int{start}, []int{}
	seen[start] = true
	for len(queue) > 0 && len(zone) < size {
		s := queue[0]
		queue = queue[1:]
		zone = append(zone, s)
		for _, node := range []int{net.Segments[s].From, net.Segments[s].To} {
			for _, t := range net.Nodes[node] {
				if !seen[t] {
					seen[t] = true
					queue = append(queue, t)
				}
			}
		}
	}
	return zone
}

func setOf(ids []int) map[int]bool {
	m := make(map[int]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// walker walks one device over the network, emitting fixes every Interval.
type walker struct {
	net     *field.Network
	rng     *rand.Rand
	o       Options
	dev     string
	speed   float64      // m/s
	zone    map[int]bool // nil: the whole network (vehicles)
	vehicle bool
	targets map[data.RoadClass]int

	t        time.Time // time of the next fix
	now      time.Time // where the walk has got to
	silentTo time.Time // no fixes before this (a gap)
	fixes    []data.Fix
	truth    map[int]int
}

// walk goes from node to node until end.
func (w *walker) walk(node int, end time.Time) {
	w.now, w.t = w.o.Start, w.o.Start
	prev := -1
	for w.now.Before(end) {
		if !w.vehicle && w.rng.Float64() < w.o.BreakRate {
			w.stand(w.net.Segments[w.net.Nodes[node][0]], node, time.Duration(5+w.rng.IntN(16))*time.Minute, end)
		}
		seg := w.next(node, prev)
		if seg < 0 {
			return
		}
		s := &w.net.Segments[seg]
		if !w.traverse(s, node, end) {
			return
		}
		w.truth[seg]++
		node, prev = s.Other(node), seg
	}
}

// next picks the segment to walk from node: in the zone, preferring those furthest below their
// target, rarely the one just walked (a dead end forces it).
func (w *walker) next(node, prev int) int {
	best, bestScore := -1, math.Inf(-1)
	for _, seg := range w.net.Nodes[node] {
		if w.zone != nil && !w.zone[seg] {
			continue
		}
		score := w.rng.Float64()
		if !w.vehicle {
			score += float64(w.targets[w.net.Segments[seg].Road.Class] - w.truth[seg])
		}
		if seg == prev {
			score -= 3
		}
		if score > bestScore {
			best, bestScore = seg, score
		}
	}
	return best
}

// traverse walks s from node to its other end, emitting the fixes that fall on the way. It
// reports false when the day ended first (the pass is not complete).
func (w *walker) traverse(s *field.Segment, node int, end time.Time) bool {
	dur := time.Duration(s.Length / w.speed * float64(time.Second))
	arrive := w.now.Add(dur)
	for ; !w.t.After(arrive); w.t = w.t.Add(w.o.Interval) {
		if w.t.After(end) {
			return false
		}
		frac := 0.0
		if dur > 0 {
			frac = float64(w.t.Sub(w.now)) / float64(dur)
		}
		if node != s.From {
			frac = 1 - frac
		}
		w.emit(pointAlong(w.net, s, frac*s.Length), s)
	}
	w.now = arrive
	return true
}

// stand stays near node for d, emitting noisy fixes of one spot.
func (w *walker) stand(s field.Segment, node int, d time.Duration, end time.Time) {
	at := s.Line[0]
	if node == s.To {
		at = s.Line[len(s.Line)-1]
	}
	until := w.now.Add(d)
	for ; !w.t.After(until) && !w.t.After(end); w.t = w.t.Add(w.o.Interval) {
		w.emit(at, &s)
	}
	w.now = until
}

// emit records a fix at p with GPS noise, unless the receiver is in a gap.
func (w *walker) emit(p orb.Point, s *field.Segment) {
	if w.t.Before(w.silentTo) {
		return
	}
	if w.o.GapRate > 0 && w.rng.Float64() < w.o.GapRate {
		w.silentTo = w.t.Add(time.Duration(20+w.rng.IntN(41)) * time.Second)
		return
	}
	pl := w.net.Plane
	m := pl.ToMetres(p)
	m[0] += w.rng.NormFloat64() * w.o.Noise
	m[1] += w.rng.NormFloat64() * w.o.Noise
	w.fixes = append(w.fixes, data.Fix{Device: w.dev, Time: w.t, Point: pl.FromMetres(m), Speed: float32(w.speed),
		Accuracy: float32(2 * w.o.Noise), Source: data.SourceHTTP})
}

// pointAlong returns the point metres along s from its start.
func pointAlong(net *field.Network, s *field.Segment, metres float64) orb.Point {
	for k := 0; k+1 < len(s.Line); k++ {
		l := net.Plane.Distance(s.Line[k], s.Line[k+1])
		if metres <= l || k+2 == len(s.Line) {
			t := 0.0
			if l > 0 {
				t = min(max(metres/l, 0), 1)
			}
			a, b := s.Line[k], s.Line[k+1]
			return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		}
		metres -= l
	}
	return s.Line[len(s.Line)-1]
}

// Agreement compares computed passes with the truth over every (patroller, segment) pair that
// either gives a pass: the share where both give the same count.
func Agreement(truth, computed map[string]map[int]int) (agree, pairs int) {
	for dev, tr := range truth {
		cp := computed[dev]
		for seg, n := range tr {
			pairs++
			if cp[seg] == n {
				agree++
			}
		}
		for seg := range cp {
			if _, ok := tr[seg]; !ok {
				pairs++
			}
		}
	}
	return agree, pairs
}
