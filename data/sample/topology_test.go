package sample_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

func areasByLevel(ds *data.Dataset, lvl data.AreaLevel) []*data.Area {
	var out []*data.Area
	for _, a := range ds.Areas {
		if a.Level == lvl {
			out = append(out, a)
		}
	}
	return out
}

func quadCentre(r orb.Ring) orb.Point {
	var c orb.Point
	for _, p := range r[:len(r)-1] {
		c[0] += p[0]
		c[1] += p[1]
	}
	n := float64(len(r) - 1)
	return orb.Point{c[0] / n, c[1] / n}
}

func TestAreaCodes(t *testing.T) {
	ds := generate(t, sample.Options{})
	byCode := map[string]*data.Area{}
	for _, a := range ds.Areas {
		lvl, err := data.ParseAreaCode(a.Code)
		if err != nil || lvl != a.Level {
			t.Errorf("area %s %s: level %v, err %v; want level %v", a.Code, a.Name, lvl, err, a.Level)
		}
		if a.Parent != data.Parent(a.Code) {
			t.Errorf("area %s: parent %q, want %q", a.Code, a.Parent, data.Parent(a.Code))
		}
		if len(a.Polygon) != 1 || !planar.MultiPolygonContains(a.Polygon, a.Label) {
			t.Errorf("area %s: %d polygons, label %v inside = %v", a.Code, len(a.Polygon), a.Label, planar.MultiPolygonContains(a.Polygon, a.Label))
		}
		byCode[a.Code] = a
	}
	if c := byCode["440303001001"]; c == nil || c.Name != "大塘龙社区" {
		t.Errorf("community 440303001001 = %+v, want 大塘龙社区", c)
	}
	if s := byCode["440303010"]; s == nil || s.Name != "清水河街道" {
		t.Errorf("street 440303010 = %+v, want 清水河街道", s)
	}
}

// TestTiling checks that grids tile communities, communities tile streets and streets tile the
// district: rings CCW, no directed edge used twice, areas adding up, and random points falling
// in exactly one grid.
func TestTiling(t *testing.T) {
	ds := generate(t, sample.Options{Seed: 3})
	district := areasByLevel(ds, data.District)[0]
	comms := areasByLevel(ds, data.Community)
	streets := areasByLevel(ds, data.Street)
	commByCode := map[string]*data.Area{}
	for _, c := range comms {
		commByCode[c.Code] = c
	}

	gridSum := map[string]float64{}
	for _, g := range ds.Grids {
		community, err := data.ParseGridCode(g.Code, data.GridCodeOptions{})
		if err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
		if community != g.Community || commByCode[community] == nil {
			t.Fatalf("grid %s: community %q, code prefix %q", g.Code, g.Community, community)
		}
		if a := orbgeo.Area(g.Polygon); math.Abs(a-g.AreaM2) > 1e-6*a || a < 4000 || a > 20000 {
			t.Errorf("grid %s: AreaM2 %.1f, polygon area %.1f", g.Code, g.AreaM2, a)
		}
		gridSum[g.Community] += g.AreaM2
		// The interior point lies in its own community and in no other.
		c := quadCentre(g.Polygon[0])
		for _, cm := range comms {
			if cm.Polygon.Bound().Contains(c) && planar.MultiPolygonContains(cm.Polygon, c) != (cm.Code == g.Community) {
				t.Fatalf("grid %s: centre inside community %s = %v", g.Code, cm.Code, cm.Code != g.Community)
			}
		}
	}
	relEq := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: parts sum to %.3f m², whole is %.3f m²", what, got, want)
		}
	}
	streetSum := map[string]float64{}
	var commTotal, streetTotal float64
	for _, c := range comms {
		relEq("community "+c.Code, gridSum[c.Code], orbgeo.Area(c.Polygon))
		streetSum[c.Parent] += orbgeo.Area(c.Polygon)
		commTotal += orbgeo.Area(c.Polygon)
	}
	for _, s := range streets {
		relEq("street "+s.Code, streetSum[s.Code], orbgeo.Area(s.Polygon))
		streetTotal += orbgeo.Area(s.Polygon)
	}
	relEq("district by communities", commTotal, orbgeo.Area(district.Polygon))
	relEq("district by streets", streetTotal, orbgeo.Area(district.Polygon))

	// Shared-vertex topology: each directed edge at most once and every ring CCW, so no two
	// neighbours overlap along an edge.
	checkEdges := func(what string, rings []orb.Ring) {
		seen := map[[2]orb.Point]bool{}
		for _, r := range rings {
			if orbgeo.SignedArea(r) <= 0 {
				t.Errorf("%s: ring not counter-clockwise", what)
			}
			for k := 1; k < len(r); k++ {
				e := [2]orb.Point{r[k-1], r[k]}
				if seen[e] {
					t.Fatalf("%s: edge %v used twice", what, e)
				}
				seen[e] = true
			}
		}
	}
	var gr, cr []orb.Ring
	for _, g := range ds.Grids {
		gr = append(gr, g.Polygon[0])
	}
	for _, c := range comms {
		cr = append(cr, c.Polygon[0][0])
	}
	checkEdges("grids", gr)
	checkEdges("communities", cr)

	// Random points: inside the district each lies in exactly one grid, outside in none.
	rng := rand.New(rand.NewPCG(1, 2))
	b := district.Polygon.Bound()
	for range 3000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		n := 0
		for _, g := range ds.Grids {
			if g.Polygon.Bound().Contains(p) && planar.PolygonContains(g.Polygon, p) {
				n++
			}
		}
		in := planar.MultiPolygonContains(district.Polygon, p)
		if (in && n != 1) || (!in && n != 0) {
			t.Fatalf("point %v: inside district %v, in %d grids", p, in, n)
		}
	}
}

func TestGridSequence(t *testing.T) {
	ds := generate(t, sample.Options{})
	// Within a community, sequence runs west → east, then north → south: each grid is the
	// east neighbour of the one before (sharing its east edge), or starts a new row right
	// below the start of the row before (sharing its south edge). Rings run SW, SE, NE, NW.
	prev := map[string]*data.Grid{}
	rowStart := map[string]*data.Grid{}
	for _, g := range ds.Grids {
		p := prev[g.Community]
		prev[g.Community] = g
		r := g.Polygon[0]
		if p == nil {
			if g.Code[12:] != "001" {
				t.Errorf("first grid of %s is %s, want sequence 001", g.Community, g.Code)
			}
			rowStart[g.Community] = g
			continue
		}
		if g.Code <= p.Code {
			t.Fatalf("grid %s follows %s", g.Code, p.Code)
		}
		pr, rs := p.Polygon[0], rowStart[g.Community].Polygon[0]
		switch {
		case pr[1] == r[0] && pr[2] == r[3]: // east of the previous grid
		case rs[0] == r[3] && rs[1] == r[2]: // below the previous row's start
			rowStart[g.Community] = g
		default:
			t.Errorf("grid %s is neither east of %s nor the start of a new row", g.Code, p.Code)
		}
	}
}
