package duty

import (
	"container/heap"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// Segment is a roster segment resolved against a dataset version: the line along the road it
// covers.
type Segment struct {
	*data.Segment
	RoadName string              // the dataset road it lies on, as the dataset spells it
	Line     orb.MultiLineString // lon/lat: the path between the ends, or every line of the road
	Length   float64             // metres
	ref      data.SegmentRef
	note     string // a warning from resolving it (a road name taken as a near one)
}

// roadSet resolves road names of one dataset and keeps a graph per road name.
type roadSet struct {
	c      City
	pl     geo.Plane
	byName map[string][]*data.Road // normalised name → roads
	graphs map[string]*roadGraph
}

func newRoadSet(c City, pl geo.Plane) *roadSet {
	rs := &roadSet{c: c, pl: pl, byName: map[string][]*data.Road{}, graphs: map[string]*roadGraph{}}
	for _, r := range c.Dataset.Roads {
		if len(r.Line) >= 2 {
			k := gazetteer.NormalizeString(r.Name)
			rs.byName[k] = append(rs.byName[k], r)
		}
	}
	return rs
}

// road returns the graph of the road a name stands for: the dataset road of that name, or the
// one the gazetteer takes it for (a variant spelling); note says when it was the gazetteer's
// guess.
func (rs *roadSet) road(name string) (g *roadGraph, note string, err error) {
	k := gazetteer.NormalizeString(name)
	if _, ok := rs.byName[k]; !ok {
		guess := ""
		if rs.c.Gazetteer != nil {
			if cs := rs.c.Gazetteer.Geocode(name, gazetteer.Query{Limit: 1}); len(cs) > 0 && cs[0].Level == gazetteer.LevelRoad {
				guess = gazetteer.NormalizeString(cs[0].Address)
			}
		}
		if _, ok := rs.byName[guess]; !ok {
			return nil, "", fmt.Errorf("no road %s with a line in the dataset", name)
		}
		note = fmt.Sprintf("road %s taken as %s", name, rs.byName[guess][0].Name)
		k = guess
	}
	if g := rs.graphs[k]; g != nil {
		return g, note, nil
	}
	g = newRoadGraph(rs.byName[k], rs.pl)
	rs.graphs[k] = g
	return g, note, nil
}

// resolve turns a segment into its line: the road's path between the two ends, or the whole
// road.
func (rs *roadSet) resolve(s *data.Segment, opts Options) (*Segment, error) {
	st, err := gazetteer.ParseSegment(s.Name)
	if err != nil {
		return nil, err
	}
	g, note, err := rs.road(st.Road)
	if err != nil {
		return nil, err
	}
	out := &Segment{Segment: s, RoadName: g.name, note: note}
	var lines [][]orb.Point // metres
	if st.Whole() {
		lines = g.lines()
	} else {
		a, err := rs.end(g, st, st.From, opts)
		if err != nil {
			return nil, err
		}
		b, err := rs.end(g, st, st.To, opts)
		if err != nil {
			return nil, err
		}
		path, err := g.path(a, b)
		if err != nil {
			return nil, err
		}
		lines = [][]orb.Point{path}
	}
	var dx, dy float64
	for _, l := range lines {
		ls := make(orb.LineString, len(l))
		for i, p := range l {
			ls[i] = rs.pl.FromMetres(p)
			if i > 0 {
				ddx, ddy := p[0]-l[i-1][0], p[1]-l[i-1][1]
				out.Length += math.Hypot(ddx, ddy)
				dx, dy = dx+math.Abs(ddx), dy+math.Abs(ddy)
			}
		}
		out.Line = append(out.Line, ls)
	}
	// A side must be a side of the road as it runs: 东侧 of a road running east–west is nothing.
	switch {
	case (s.Side == data.SideEast || s.Side == data.SideWest) && dx > 2*dy:
		return nil, fmt.Errorf("%s runs east–west here; %s names no side of it", g.name, s.Side.Chinese())
	case (s.Side == data.SideNorth || s.Side == data.SideSouth) && dy > 2*dx:
		return nil, fmt.Errorf("%s runs north–south here; %s names no side of it", g.name, s.Side.Chinese())
	}
	out.Length = math.Round(out.Length*10) / 10
	out.ref = data.SegmentRef{ID: s.ID, Name: s.Name, Road: g.name, Side: s.Side}
	return out, nil
}

// end finds where a segment's end lies on the road: where a cross street meets it, or the
// point of the road nearest a house number or a named place.
func (rs *roadSet) end(g *roadGraph, st gazetteer.SegmentText, e gazetteer.SegmentEnd, opts Options) (roadPos, error) {
	kind := e.Kind
	if _, ok := rs.byName[gazetteer.NormalizeString(e.Text)]; ok {
		kind = gazetteer.EndRoad // a road of the dataset, whatever its name looks like (仁愛敦南圓環, 辛亥路車行地下道)
	}
	switch kind {
	case gazetteer.EndRoad:
		other, _, err := rs.road(e.Text)
		if err != nil {
			return roadPos{}, fmt.Errorf("end %s: %w", e.Text, err)
		}
		if other == g {
			return roadPos{}, fmt.Errorf("end %s is the road itself", e.Text)
		}
		pos, gap := g.crossing(other)
		if gap > crossTolerance {
			return roadPos{}, fmt.Errorf("end %s: %s and %s do not meet (closest %.0f m apart)", e.Text, g.name, other.name, gap)
		}
		return pos, nil
	case gazetteer.EndNumber, gazetteer.EndPlace:
		if rs.c.Gazetteer == nil {
			return roadPos{}, fmt.Errorf("end %s: no gazetteer to find it", e.Text)
		}
		q := e.Text
		if e.Kind == gazetteer.EndNumber && !startsWithRoad(q) {
			q = st.Road + q
		}
		best, bestD := roadPos{}, math.Inf(1)
		for _, c := range rs.c.Gazetteer.Geocode(q, gazetteer.Query{Limit: 5}) {
			if !endLevel(e.Kind, c.Level) {
				continue
			}
			pos := g.nearest(rs.pl.ToMetres(c.Point))
			if pos.dist < bestD {
				best, bestD = pos, pos.dist
			}
		}
		switch {
		case math.IsInf(bestD, 1):
			what := "place"
			if e.Kind == gazetteer.EndNumber {
				what = "house number"
			}
			return roadPos{}, fmt.Errorf("end %s: no %s of that name in the dataset", e.Text, what)
		case bestD > opts.EndTolerance:
			return roadPos{}, fmt.Errorf("end %s lies %.0f m from %s (at most %.0f m)", e.Text, bestD, g.name, opts.EndTolerance)
		}
		return best, nil
	}
	return roadPos{}, errors.New("end without a kind")
}

// endLevel reports whether a geocoding level locates an end of kind k: a 门牌 for a house number;
// a POI, building, 门牌 or crossing for a place. A road or an area never does.
func endLevel(k gazetteer.EndKind, l gazetteer.Level) bool {
	if k == gazetteer.EndNumber {
		return l == gazetteer.LevelHouse
	}
	return l == gazetteer.LevelPOI || l == gazetteer.LevelBuilding || l == gazetteer.LevelHouse || l == gazetteer.LevelIntersection
}

// startsWithRoad reports whether a house-number end names its road (人民路18号).
func startsWithRoad(s string) bool {
	st, err := gazetteer.ParseSegment(s)
	return err == nil && st.Road != s
}

// roadGraph is the lines of one road name as a graph of vertices in the local plane (metres),
// so that a segment between two ends follows the road through any number of its ways.
type roadGraph struct {
	name  string
	pts   []orb.Point // metres
	adj   [][]int32
	pcs   []piece
	cells map[[2]int32][]int32 // piece ids by cellSize cell, for crossings
	comp  []int32              // per vertex: its connected part of the road
}

// piece is one straight piece of a road line, between vertices a and b.
type piece struct{ a, b int32 }

// cellSize is the side of the cells that bucket a road's pieces, in metres.
const cellSize = 200.0

// snapJoin is how close the end of one way of a road must come to another way to be joined to
// it (surveyed ways rarely share vertices exactly).
const snapJoin = 12.0

// carriageway is how far apart the two carriageways of a divided road may lie (Taipei's
// boulevards, 仁愛路 and 敦化南路, put 70 m of green between them): OSM draws each
// as its own one-way line, joined to the other only at the road's ends, so two ends found on
// different carriageways are moved onto one.
const carriageway = 80.0

func newRoadGraph(roads []*data.Road, pl geo.Plane) *roadGraph {
	g := &roadGraph{name: roads[0].Name, cells: map[[2]int32][]int32{}}
	node := map[orb.Point]int32{}
	id := func(p orb.Point) int32 {
		if i, ok := node[p]; ok {
			return i
		}
		i := int32(len(g.pts))
		node[p] = i
		g.pts = append(g.pts, pl.ToMetres(p))
		g.adj = append(g.adj, nil)
		return i
	}
	var ends []int32
	for _, r := range roads {
		prev := int32(-1)
		for _, p := range r.Line {
			i := id(p)
			if prev >= 0 && prev != i {
				g.link(prev, i)
			}
			prev = i
		}
		ends = append(ends, id(r.Line[0]), id(r.Line[len(r.Line)-1]))
	}
	// Join a way's loose end to the nearest vertex of another way within snapJoin.
	for _, e := range ends {
		if len(g.adj[e]) != 1 {
			continue
		}
		best, bestD := int32(-1), snapJoin
		for _, pi := range g.near(g.pts[e], snapJoin) {
			for _, v := range []int32{g.pcs[pi].a, g.pcs[pi].b} {
				if v != e && v != g.adj[e][0] {
					if d := dist(g.pts[e], g.pts[v]); d <= bestD {
						best, bestD = v, d
					}
				}
			}
		}
		if best >= 0 {
			g.link(e, best)
		}
	}
	g.components()
	return g
}

// components numbers the connected parts of the graph.
func (g *roadGraph) components() {
	g.comp = make([]int32, len(g.pts))
	for i := range g.comp {
		g.comp[i] = -1
	}
	var stack []int32
	n := int32(0)
	for s := range g.pts {
		if g.comp[s] >= 0 {
			continue
		}
		stack = append(stack[:0], int32(s))
		g.comp[s] = n
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, w := range g.adj[v] {
				if g.comp[w] < 0 {
					g.comp[w] = n
					stack = append(stack, w)
				}
			}
		}
		n++
	}
}

// nearestIn returns the point of part comp of the road nearest p (metres).
func (g *roadGraph) nearestIn(p orb.Point, comp int32) roadPos {
	best := roadPos{pc: -1, dist: math.Inf(1), from: p}
	for pi, pc := range g.pcs {
		if g.comp[pc.a] != comp {
			continue
		}
		a, b := g.pts[pc.a], g.pts[pc.b]
		t, d2 := geo.NearestOnSegment(p, a, b)
		if d := math.Sqrt(d2); d < best.dist {
			best = roadPos{pc: int32(pi), t: t, at: orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, dist: d, from: p}
		}
	}
	return best
}

// link adds the piece u–v.
func (g *roadGraph) link(u, v int32) {
	g.adj[u] = append(g.adj[u], v)
	g.adj[v] = append(g.adj[v], u)
	pi := int32(len(g.pcs))
	g.pcs = append(g.pcs, piece{u, v})
	a, b := g.pts[u], g.pts[v]
	for x := cellOf(math.Min(a[0], b[0])); x <= cellOf(math.Max(a[0], b[0])); x++ {
		for y := cellOf(math.Min(a[1], b[1])); y <= cellOf(math.Max(a[1], b[1])); y++ {
			g.cells[[2]int32{x, y}] = append(g.cells[[2]int32{x, y}], pi)
		}
	}
}

func cellOf(v float64) int32 { return int32(math.Floor(v / cellSize)) }

// near returns the pieces in the cells within r of p (a superset of the pieces within r).
func (g *roadGraph) near(p orb.Point, r float64) []int32 {
	var out []int32
	seen := map[int32]bool{}
	for x := cellOf(p[0] - r); x <= cellOf(p[0]+r); x++ {
		for y := cellOf(p[1] - r); y <= cellOf(p[1]+r); y++ {
			for _, pi := range g.cells[[2]int32{x, y}] {
				if !seen[pi] {
					seen[pi] = true
					out = append(out, pi)
				}
			}
		}
	}
	return out
}

func dist(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// lines returns the road's pieces joined into runs (for a whole-road segment).
func (g *roadGraph) lines() [][]orb.Point {
	used := make([]bool, len(g.pcs))
	pieceOf := map[[2]int32]int{}
	for i, p := range g.pcs {
		pieceOf[[2]int32{p.a, p.b}], pieceOf[[2]int32{p.b, p.a}] = i, i
	}
	var out [][]orb.Point
	for i, p := range g.pcs {
		if used[i] {
			continue
		}
		used[i] = true
		run := []int32{p.a, p.b}
		// Walk on from the run's end while exactly one unused piece goes on.
		for {
			last := run[len(run)-1]
			next := int32(-1)
			for _, v := range g.adj[last] {
				if j := pieceOf[[2]int32{last, v}]; !used[j] {
					next = v
					used[j] = true
					break
				}
			}
			if next < 0 {
				break
			}
			run = append(run, next)
		}
		line := make([]orb.Point, len(run))
		for k, v := range run {
			line[k] = g.pts[v]
		}
		out = append(out, line)
	}
	return out
}

// roadPos is a point on a road: on piece pc at fraction t from its a to its b, dist metres from
// the point it was found for (from).
type roadPos struct {
	pc   int32
	t    float64
	at   orb.Point // metres
	dist float64
	from orb.Point
}

// nearest returns the point of the road nearest p (metres).
func (g *roadGraph) nearest(p orb.Point) roadPos {
	best := roadPos{pc: -1, dist: math.Inf(1), from: p}
	// Any piece within r of p lies in a cell near(p, r) returns, so a best within r is the nearest.
	for r := cellSize; best.pc < 0 || best.dist > r; r *= 4 {
		for _, pi := range g.near(p, r) {
			pc := g.pcs[pi]
			a, b := g.pts[pc.a], g.pts[pc.b]
			t, d2 := geo.NearestOnSegment(p, a, b)
			if d := math.Sqrt(d2); d < best.dist {
				best = roadPos{pc: pi, t: t, at: orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, dist: d, from: p}
			}
		}
		if r > 1e6 {
			break
		}
	}
	return best
}

// crossing returns where g comes closest to other — where they cross, or the point of g
// nearest other — and the gap between them.
func (g *roadGraph) crossing(other *roadGraph) (roadPos, float64) {
	best := roadPos{pc: -1, dist: math.Inf(1)}
	for _, opc := range other.pcs {
		c, d := other.pts[opc.a], other.pts[opc.b]
		seen := map[int32]bool{}
		for x := cellOf(math.Min(c[0], d[0]) - crossTolerance); x <= cellOf(math.Max(c[0], d[0])+crossTolerance); x++ {
			for y := cellOf(math.Min(c[1], d[1]) - crossTolerance); y <= cellOf(math.Max(c[1], d[1])+crossTolerance); y++ {
				for _, pi := range g.cells[[2]int32{x, y}] {
					if seen[pi] {
						continue
					}
					seen[pi] = true
					pc := g.pcs[pi]
					if pos := closestPieces(g.pts[pc.a], g.pts[pc.b], c, d); pos.dist < best.dist {
						pos.pc = pi
						best = pos
					}
				}
			}
		}
	}
	best.from = best.at
	if best.pc < 0 {
		// Nothing within a cell of each other: measure from other's vertices, for the message.
		for _, p := range other.pts {
			if pos := g.nearest(p); pos.dist < best.dist {
				best = pos
			}
		}
	}
	return best, best.dist
}

// closestPieces returns the point of ab closest to cd (the crossing when they cross) as a
// roadPos on ab, with the gap between them.
func closestPieces(a, b, c, d orb.Point) roadPos {
	// Proper crossing: solve a + t(b-a) = c + u(d-c).
	r, s := orb.Point{b[0] - a[0], b[1] - a[1]}, orb.Point{d[0] - c[0], d[1] - c[1]}
	if den := r[0]*s[1] - r[1]*s[0]; den != 0 {
		t := ((c[0]-a[0])*s[1] - (c[1]-a[1])*s[0]) / den
		u := ((c[0]-a[0])*r[1] - (c[1]-a[1])*r[0]) / den
		if t >= 0 && t <= 1 && u >= 0 && u <= 1 {
			return roadPos{t: t, at: orb.Point{a[0] + t*r[0], a[1] + t*r[1]}}
		}
	}
	best := roadPos{dist: math.Inf(1)}
	for _, p := range []orb.Point{c, d} { // an end of cd against ab
		t, d2 := geo.NearestOnSegment(p, a, b)
		if dd := math.Sqrt(d2); dd < best.dist {
			best = roadPos{t: t, at: orb.Point{a[0] + t*r[0], a[1] + t*r[1]}, dist: dd}
		}
	}
	for i, p := range []orb.Point{a, b} { // an end of ab against cd
		_, d2 := geo.NearestOnSegment(p, c, d)
		if dd := math.Sqrt(d2); dd < best.dist {
			best = roadPos{t: float64(i), at: p, dist: dd}
		}
	}
	return best
}

// path returns the road's line from position a to position b along its pieces (metres): the
// shortest way through the graph, so a segment follows the road through joined ways.
func (g *roadGraph) path(a, b roadPos) ([]orb.Point, error) {
	if dist(a.at, b.at) < 1 {
		return nil, errors.New("both ends are the same point of the road")
	}
	pa, pb := g.pcs[a.pc], g.pcs[b.pc]
	if ca, cb := g.comp[pa.a], g.comp[pb.a]; ca != cb {
		// The ends lie on parts that do not join (the two carriageways of a divided road):
		// move the end that moves least onto the other's part.
		b2, a2 := g.nearestIn(b.from, ca), g.nearestIn(a.from, cb)
		switch {
		case b2.pc >= 0 && b2.dist <= carriageway && (a2.pc < 0 || b2.dist <= a2.dist):
			return g.path(a, b2)
		case a2.pc >= 0 && a2.dist <= carriageway:
			return g.path(a2, b)
		}
		return nil, fmt.Errorf("the two ends lie on parts of %s that do not join", g.name)
	}
	if a.pc == b.pc {
		return []orb.Point{a.at, b.at}, nil
	}
	n := len(g.pts)
	d := make([]float64, n)
	prev := make([]int32, n)
	for i := range d {
		d[i], prev[i] = math.Inf(1), -1
	}
	q := &nodeHeap{}
	for _, v := range []int32{pa.a, pa.b} {
		d[v] = dist(a.at, g.pts[v])
		heap.Push(q, nodeDist{v, d[v]})
	}
	for q.Len() > 0 {
		nd := heap.Pop(q).(nodeDist)
		if nd.d > d[nd.v] {
			continue
		}
		for _, w := range g.adj[nd.v] {
			if dw := nd.d + dist(g.pts[nd.v], g.pts[w]); dw < d[w] {
				d[w], prev[w] = dw, nd.v
				heap.Push(q, nodeDist{w, dw})
			}
		}
	}
	end, total := int32(-1), math.Inf(1)
	for _, v := range []int32{pb.a, pb.b} {
		if t := d[v] + dist(g.pts[v], b.at); t < total {
			end, total = v, t
		}
	}
	if end < 0 || math.IsInf(total, 1) {
		return nil, fmt.Errorf("the two ends lie on parts of %s that do not join", g.name)
	}
	var rev []orb.Point
	rev = append(rev, b.at)
	for v := end; v >= 0; v = prev[v] {
		rev = append(rev, g.pts[v])
	}
	rev = append(rev, a.at)
	out := make([]orb.Point, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		if len(out) == 0 || dist(out[len(out)-1], rev[i]) > 1e-6 {
			out = append(out, rev[i])
		}
	}
	return out, nil
}

type nodeDist struct {
	v int32
	d float64
}

// nodeHeap is the Dijkstra queue.
type nodeHeap []nodeDist

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].d < h[j].d }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(nodeDist)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// ResolveSegment resolves one segment text ("人民路（友谊桥至和平桥）", "解放路东侧") against a
// dataset version as a roster segment would be: the line along the road between its ends. It
// geocodes a segment: the answer is a stretch of road (道路区段), not a point. A text that does
// not parse wraps gazetteer.ErrSegmentText; an end or road that does not resolve is
// ErrUnresolved.
func ResolveSegment(c City, text string, opts Options) (*Segment, error) {
	st, err := gazetteer.ParseSegment(text)
	if err != nil {
		return nil, err
	}
	s := &data.Segment{ID: text, Name: text, Road: st.Road, From: st.From.Text, To: st.To.Text, Side: st.Side}
	seg, err := newRoadSet(c, geo.LocalPlane(c.Geo.Bound().Center())).resolve(s, opts.withDefaults())
	if err != nil && !errors.Is(err, gazetteer.ErrSegmentText) {
		return nil, fmt.Errorf("%w: %w", ErrUnresolved, err)
	}
	return seg, err
}

// ErrUnresolved is wrapped by ResolveSegment when the text parses but its road or an end is not
// in the dataset, or the ends do not lie on the road.
var ErrUnresolved = errors.New("segment does not resolve")
