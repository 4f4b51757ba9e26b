package field

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"citygeo/data"
	"citygeo/geo"
)

// Segment is a piece of road between two intersections (or an intersection and an end): the
// unit patrol coverage counts passes over.
type Segment struct {
	ID     int // index in Network.Segments
	Road   *data.Road
	Part   int // which piece of its road, from the road's start
	Line   orb.LineString
	Length float64 // metres
	From   int     // node at Line's start
	To     int     // node at its end

	cum []float64 // metres from the start at each vertex
}

// Other returns the node at the other end from node.
func (s *Segment) Other(node int) int {
	if node == s.From {
		return s.To
	}
	return s.From
}

// Network is a road layer cut at its intersections into segments, indexed for matching
// positions to them. It expects a noded network, as road centreline data is: roads that cross
// share a vertex there (the sample city's do). Two roads crossing without a shared vertex (a
// flyover) are not cut, which is right for a flyover and wrong for a badly digitised crossing.
type Network struct {
	Segments []Segment
	// Nodes lists, per node, the segments that end there.
	Nodes [][]int
	Plane geo.Plane // the local plane distances are measured in

	pieces rtree.RTreeG[piece]
}

// piece is one straight stretch of a segment: from vertex I to I+1.
type piece struct{ seg, i int32 }

// NewNetwork cuts roads at every vertex two roads share (and at a vertex a road passes twice)
// and indexes the segments.
func NewNetwork(roads []*data.Road) *Network {
	n := &Network{}
	var b orb.Bound
	uses := map[orb.Point]int{}
	for i, r := range roads {
		if i == 0 {
			b = r.Line.Bound()
		}
		b = b.Union(r.Line.Bound())
		for j, p := range r.Line {
			uses[p]++
			if j == 0 || j == len(r.Line)-1 {
				uses[p]++ // an end is a node whatever meets it
			}
		}
	}
	n.Plane = geo.LocalPlane(b.Center())
	node := map[orb.Point]int{}
	nodeOf := func(p orb.Point) int {
		id, ok := node[p]
		if !ok {
			id = len(n.Nodes)
			node[p] = id
			n.Nodes = append(n.Nodes, nil)
		}
		return id
	}
	for _, r := range roads {
		if len(r.Line) < 2 {
			continue
		}
		start, part := 0, 0
		for j := 1; j < len(r.Line); j++ {
			if j < len(r.Line)-1 && uses[r.Line[j]] < 2 {
				continue
			}
			line := append(orb.LineString(nil), r.Line[start:j+1]...)
			s := Segment{ID: len(n.Segments), Road: r, Part: part, Line: line, From: nodeOf(line[0]), To: nodeOf(line[len(line)-1])}
			s.cum = make([]float64, len(line))
			for k := 1; k < len(line); k++ {
				s.cum[k] = s.cum[k-1] + n.Plane.Distance(line[k-1], line[k])
			}
			s.Length = s.cum[len(line)-1]
			n.Segments = append(n.Segments, s)
			n.Nodes[s.From] = append(n.Nodes[s.From], s.ID)
			if s.To != s.From {
				n.Nodes[s.To] = append(n.Nodes[s.To], s.ID)
			}
			start, part = j, part+1
		}
	}
	for si := range n.Segments {
		s := &n.Segments[si]
		for k := 0; k+1 < len(s.Line); k++ {
			pb := orb.Bound{Min: s.Line[k], Max: s.Line[k]}.Extend(s.Line[k+1])
			n.pieces.Insert(pb.Min, pb.Max, piece{int32(si), int32(k)})
		}
	}
	return n
}

// shared returns the node segments a and b have in common, or -1 (none, or both ends: a
// double link, ambiguous).
func (n *Network) shared(a, b int) int {
	sa, sb := &n.Segments[a], &n.Segments[b]
	var out []int
	for _, x := range []int{sa.From, sa.To} {
		if x == sb.From || x == sb.To {
			out = append(out, x)
		}
	}
	if len(out) != 1 {
		return -1
	}
	return out[0]
}

// endAlong returns where node lies along segment seg: 0 at its start, its length at its end.
func (n *Network) endAlong(seg, node int) float64 {
	if s := &n.Segments[seg]; node == s.To && node != s.From {
		return s.Length
	}
	return 0
}

// match is where a position lies on the network: the segment, the metres from the segment's
// start of the nearest point on it, and the distance to that point.
type match struct {
	seg         int
	along, dist float64
}

// nearest returns the nearest segment within tol metres of p; with prefer ≥ 0 and that segment
// within tol, that one instead, so a track keeps to the segment it is on through an
// intersection rather than flicking to a crossing road. ok is false when none is within tol.
func (n *Network) nearest(p orb.Point, tol float64, prefer int) (best match, ok bool) {
	dlon, dlat := tol/n.Plane.KX, tol/n.Plane.KY
	min, max := [2]float64{p[0] - dlon, p[1] - dlat}, [2]float64{p[0] + dlon, p[1] + dlat}
	best.dist = math.Inf(1)
	var pref match
	havePref := false
	n.pieces.Search(min, max, func(_, _ [2]float64, pc piece) bool {
		s := &n.Segments[pc.seg]
		a, b := s.Line[pc.i], s.Line[pc.i+1]
		q, d := n.Plane.ClosestOnSegment(p, a, b)
		if d > tol {
			return true
		}
		m := match{seg: int(pc.seg), along: s.cum[pc.i] + n.Plane.Distance(a, q), dist: d}
		if m.seg == prefer && (!havePref || d < pref.dist) {
			pref, havePref = m, true
		}
		if d < best.dist {
			best = m
		}
		return true
	})
	if havePref {
		return pref, true
	}
	return best, !math.IsInf(best.dist, 1)
}
