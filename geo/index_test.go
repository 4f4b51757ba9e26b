package geo_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// smallCity is a hand-made city at 深圳罗湖 latitude:
//
//	lon 114.100 ─ 114.101 ─ 114.102   gap   114.1025 ─ 114.1035 ─ 114.1045
//	| grid …001001 | grid …001002 |  ~51 m  | grid …002001 | (area only) |
//	|     community 440303001001  |         |     community 440303001002  |
//
// all between lat 22.550 and 22.551, inside street 440303001 and district 440303 (whose
// polygons cover lon 114.100–114.1045). Components: two street lamps (0118), a water cover
// (0101) and a guard rail line (0211).
func smallCity() *data.Dataset {
	const y0, y1 = 22.550, 22.551
	return &data.Dataset{
		Name: "test city",
		Areas: []*data.Area{
			{Code: "440303", Name: "罗湖区", Level: data.District, Polygon: orb.MultiPolygon{box(114.100, y0, 114.1045, y1)}},
			{Code: "440303001", Name: "桂园街道", Level: data.Street, Parent: "440303", Polygon: orb.MultiPolygon{box(114.100, y0, 114.1045, y1)}},
			{Code: "440303001001", Name: "老围社区", Level: data.Community, Parent: "440303001", Polygon: orb.MultiPolygon{box(114.100, y0, 114.102, y1)}},
			{Code: "440303001002", Name: "松园社区", Level: data.Community, Parent: "440303001", Polygon: orb.MultiPolygon{box(114.1025, y0, 114.1045, y1)}},
		},
		Grids: []*data.Grid{
			{Code: "440303001001002", Community: "440303001001", Polygon: box(114.101, y0, 114.102, y1)},
			{Code: "440303001001001", Community: "440303001001", Polygon: box(114.100, y0, 114.101, y1)},
			{Code: "440303001002001", Community: "440303001002", Polygon: box(114.1025, y0, 114.1035, y1)},
		},
		Components: []*data.Component{
			{ID: "4403030118000001", Scheme: data.CJT214, Major: "01", Minor: "18", Name: "路灯", Geometry: orb.Point{114.1005, 22.5505}},
			{ID: "4403030118000002", Scheme: data.CJT214, Major: "01", Minor: "18", Name: "路灯", Geometry: orb.Point{114.1030, 22.5505}},
			{ID: "4403030101000001", Scheme: data.CJT214, Major: "01", Minor: "01", Name: "上水井盖", Geometry: orb.Point{114.1012, 22.5505}},
			{ID: "4403030211000001", Scheme: data.CJT214, Major: "02", Minor: "11", Name: "交通护栏", Geometry: orb.LineString{{114.100, 22.5508}, {114.1045, 22.5508}}},
		},
	}
}

func TestLocate(t *testing.T) {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := 1 / (geo.EarthRadius * math.Pi / 180) // one metre of latitude in degrees
	tests := []struct {
		name        string
		p           orb.Point
		grid        string
		community   string
		street      string
		outside     bool
		snapped     bool
		snapAtLeast float64
	}{
		{name: "inside first grid", p: orb.Point{114.1005, 22.5505}, grid: "440303001001001", community: "440303001001", street: "440303001"},
		{name: "inside second grid", p: orb.Point{114.1015, 22.5502}, grid: "440303001001002", community: "440303001001", street: "440303001"},
		{name: "shared edge takes lowest code", p: orb.Point{114.101, 22.5505}, grid: "440303001001001", community: "440303001001", street: "440303001"},
		{name: "shared corner takes lowest code", p: orb.Point{114.101, 22.551}, grid: "440303001001001", community: "440303001001", street: "440303001"},
		{name: "other community", p: orb.Point{114.103, 22.5501}, grid: "440303001002001", community: "440303001002", street: "440303001"},
		{name: "gap 3 m from a grid snaps, under the street", p: orb.Point{114.102 + 3*m/math.Cos(22.55*math.Pi/180), 22.5505}, grid: "440303001001002", community: "440303001001", street: "440303001", snapped: true, snapAtLeast: 2.9},
		{name: "middle of the gap: street only", p: orb.Point{114.10225, 22.5505}, street: "440303001"},
		{name: "area without grids", p: orb.Point{114.1042, 22.5505}, community: "440303001002", street: "440303001"},
		{name: "area 4 m from its grid snaps", p: orb.Point{114.1035 + 4*m/math.Cos(22.55*math.Pi/180), 22.5505}, grid: "440303001002001", community: "440303001002", street: "440303001", snapped: true, snapAtLeast: 3.9},
		{name: "5 m north of the city snaps", p: orb.Point{114.1005, 22.551 + 5*m}, grid: "440303001001001", community: "440303001001", street: "440303001", snapped: true, snapAtLeast: 4.9},
		{name: "20 m north is outside", p: orb.Point{114.1005, 22.551 + 20*m}, outside: true},
		{name: "far away", p: orb.Point{0, 0}, outside: true},
		{name: "NaN", p: orb.Point{math.NaN(), 22.55}, outside: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := ix.Locate(tc.p)
			if got := code(loc.Grid); got != tc.grid {
				t.Errorf("grid %q, want %q", got, tc.grid)
			}
			if got := areaCode(loc.Community); got != tc.community {
				t.Errorf("community %q, want %q", got, tc.community)
			}
			if got := areaCode(loc.Street); got != tc.street {
				t.Errorf("street %q, want %q", got, tc.street)
			}
			wantDistrict := ""
			if tc.street != "" {
				wantDistrict = "440303"
			}
			if got := areaCode(loc.District); got != wantDistrict {
				t.Errorf("district %q, want %q", got, wantDistrict)
			}
			if loc.Outside != tc.outside || loc.Snapped != tc.snapped {
				t.Errorf("outside %v snapped %v, want %v %v", loc.Outside, loc.Snapped, tc.outside, tc.snapped)
			}
			if tc.snapped && (loc.SnapDistance < tc.snapAtLeast || loc.SnapDistance > tc.snapAtLeast+0.2) {
				t.Errorf("snap distance %.3f, want ≈ %.1f", loc.SnapDistance, tc.snapAtLeast+0.1)
			}
			if loc.Point != tc.p && !math.IsNaN(tc.p[0]) {
				t.Errorf("point %v, want %v", loc.Point, tc.p)
			}
		})
	}

	noSnap, err := geo.NewIndex(smallCity(), geo.IndexOptions{SnapTolerance: -1})
	if err != nil {
		t.Fatal(err)
	}
	if loc := noSnap.Locate(orb.Point{114.1005, 22.551 + 5*m}); !loc.Outside || loc.Grid != nil {
		t.Errorf("snapping off: got %+v, want outside", loc)
	}
}

func code(g *data.Grid) string {
	if g == nil {
		return ""
	}
	return g.Code
}

func areaCode(a *data.Area) string {
	if a == nil {
		return ""
	}
	return a.Code
}

func TestNearest(t *testing.T) {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := orb.Point{114.1010, 22.5505}
	tests := []struct {
		name string
		q    geo.NearestQuery
		ids  []string
	}{
		{"any class", geo.NearestQuery{}, []string{"4403030101000001"}},
		{"any class, three", geo.NearestQuery{K: 3}, []string{"4403030101000001", "4403030211000001", "4403030118000001"}},
		{"one class", geo.NearestQuery{Class: "0118"}, []string{"4403030118000001"}},
		{"two of a class", geo.NearestQuery{Class: "0118", K: 2}, []string{"4403030118000001", "4403030118000002"}},
		{"major merges minors", geo.NearestQuery{Class: "01", K: 3}, []string{"4403030101000001", "4403030118000001", "4403030118000002"}},
		{"radius cuts", geo.NearestQuery{Class: "0118", K: 2, Radius: 100}, []string{"4403030118000001"}},
		{"radius excludes all", geo.NearestQuery{Class: "0118", Radius: 10}, nil},
		{"unknown class", geo.NearestQuery{Class: "0699"}, nil},
		{"K larger than class", geo.NearestQuery{Class: "02", K: 5}, []string{"4403030211000001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ix.Nearest(p, tc.q, nil)
			var ids []string
			for i, n := range got {
				ids = append(ids, n.Component.ID)
				if i > 0 && n.Distance < got[i-1].Distance {
					t.Errorf("not sorted: %v", got)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tc.ids, ",") {
				t.Fatalf("got %v, want %v", ids, tc.ids)
			}
		})
	}
	// distances and bearings: the rail is 0.0003° of latitude due north; the lamp due west
	got := ix.Nearest(p, geo.NearestQuery{Class: "0211"}, nil)
	if want := 0.0003 * geo.EarthRadius * math.Pi / 180; math.Abs(got[0].Distance-want) > 1e-3 || math.Abs(got[0].Bearing) > 1e-6 {
		t.Errorf("rail at %.4f m bearing %.6f, want %.4f m north", got[0].Distance, got[0].Bearing, want)
	}
	lamp := ix.Nearest(p, geo.NearestQuery{Class: "0118"}, nil)[0]
	if want := geo.Distance(p, orb.Point{114.1005, 22.5505}); lamp.Distance != want || geo.Direction(lamp.Bearing) != "西" {
		t.Errorf("lamp at %v m bearing %v, want %v m west", lamp.Distance, lamp.Bearing, want)
	}
	// a caller's buffer is reused
	buf := make([]geo.Neighbor, 0, 4)
	if out := ix.Nearest(p, geo.NearestQuery{K: 4}, buf); len(out) != 4 || &out[0] != &buf[:1][0] {
		t.Errorf("buffer not reused: len %d", len(out))
	}
}

func TestIndexLookupsAndBoxes(t *testing.T) {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g := ix.Grid("440303001002001"); g == nil || g.Community != "440303001002" {
		t.Errorf("Grid: %+v", g)
	}
	if ix.Grid("nope") != nil || ix.Area("nope") != nil || ix.Component("nope") != nil {
		t.Error("unknown codes must give nil")
	}
	if a := ix.Area("440303001"); a == nil || a.Name != "桂园街道" {
		t.Errorf("Area: %+v", a)
	}
	if c := ix.Component("4403030101000001"); c == nil || c.Name != "上水井盖" {
		t.Errorf("Component: %+v", c)
	}
	if b := ix.Bound(); b.Min != (orb.Point{114.100, 22.550}) || b.Max != (orb.Point{114.1045, 22.551}) {
		t.Errorf("Bound %v", b)
	}
	var grids []string
	ix.GridsIn(orb.Bound{Min: orb.Point{114.1009, 22.5501}, Max: orb.Point{114.1011, 22.5502}}, func(g *data.Grid) bool {
		grids = append(grids, g.Code)
		return true
	})
	if len(grids) != 2 {
		t.Errorf("GridsIn found %v, want the two grids on either side of 114.101", grids)
	}
	count := func(class string) int {
		n := 0
		ix.ComponentsIn(ix.Bound(), class, func(*data.Component) bool { n++; return true })
		return n
	}
	for class, want := range map[string]int{"": 4, "01": 3, "0118": 2, "02": 1, "0211": 1, "05": 0} {
		if got := count(class); got != want {
			t.Errorf("ComponentsIn class %q: %d, want %d", class, got, want)
		}
	}
	stopped := 0
	ix.ComponentsIn(ix.Bound(), "", func(*data.Component) bool { stopped++; return false })
	if stopped != 1 {
		t.Errorf("iteration did not stop: %d calls", stopped)
	}
}

func TestNewIndexErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*data.Dataset)
		want   string
	}{
		{"nil dataset", nil, "nil dataset"},
		{"duplicate grid", func(d *data.Dataset) {
			d.Grids = append(d.Grids, &data.Grid{Code: d.Grids[0].Code, Polygon: d.Grids[0].Polygon})
		}, "grid 440303001001002: code: duplicate"},
		{"grid without polygon", func(d *data.Dataset) { d.Grids[1].Polygon = nil }, "grid 440303001001001: polygon"},
		{"NaN grid", func(d *data.Dataset) { d.Grids[0].Polygon = box(math.NaN(), 0, 1, 1) }, "not finite"},
		{"duplicate component", func(d *data.Dataset) { d.Components = append(d.Components, d.Components[0]) }, "component 4403030118000001: id: duplicate"},
		{"duplicate area", func(d *data.Dataset) { d.Areas = append(d.Areas, d.Areas[0]) }, "area 440303: code: duplicate"},
		{"nil grid", func(d *data.Dataset) { d.Grids = append(d.Grids, nil) }, "nil grid"},
		{"nil area", func(d *data.Dataset) { d.Areas = append(d.Areas, nil) }, "nil area"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ds *data.Dataset
			if tc.mutate != nil {
				ds = smallCity()
				tc.mutate(ds)
			}
			_, err := geo.NewIndex(ds, geo.IndexOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Readers share one Index; run with -race.
func TestConcurrentReads(t *testing.T) {
	ix, err := geo.NewIndex(synthCity(synthOptions{NX: 12, NY: 12, Drop: 0.05, Components: 500, Seed: 5}), geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := ix.Bound()
	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func() {
			buf := make([]geo.Neighbor, 0, 3)
			for i := 0; i < 300; i++ {
				f := float64(i) / 300
				p := orb.Point{b.Min[0] + f*(b.Max[0]-b.Min[0]), b.Min[1] + (1-f)*(b.Max[1]-b.Min[1])}
				ix.Locate(p)
				buf = ix.Nearest(p, geo.NearestQuery{K: 3, Class: "01"}, buf)
			}
			done <- true
		}()
	}
	for w := 0; w < 4; w++ {
		<-done
	}
}

// TestComponentsInMatchesBruteForce checks box queries of every class kind against a scan of
// the sample city, whose guard rails (lines) and green spaces (polygons) span many buckets:
// each component in the box exactly once, none outside it.
func TestComponentsInMatchesBruteForce(t *testing.T) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	b := ix.Bound()
	for _, class := range []string{"", "01", "0118", "0211", "0405", "04", "0999"} {
		for q := 0; q < 40; q++ {
			w, h := rng.Float64()*0.01, rng.Float64()*0.01
			x, y := b.Min[0]+rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1]+rng.Float64()*(b.Max[1]-b.Min[1])
			box := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}}
			want := map[string]bool{}
			for _, c := range ds.Components {
				cl := c.Major + c.Minor
				if (class == "" || class == c.Major || class == cl) && c.Geometry.Bound().Intersects(box) {
					want[c.ID] = true
				}
			}
			got := map[string]bool{}
			ix.ComponentsIn(box, class, func(c *data.Component) bool {
				if got[c.ID] {
					t.Fatalf("class %q box %v: %s reported twice", class, box, c.ID)
				}
				got[c.ID] = true
				return true
			})
			if len(got) != len(want) {
				t.Fatalf("class %q box %v: %d components, want %d", class, box, len(got), len(want))
			}
			for id := range want {
				if !got[id] {
					t.Fatalf("class %q box %v: %s missing", class, box, id)
				}
			}
		}
	}
}

// TestComponentsAtTheirOwnPoint checks the edges of the bucket entries' approximation: the bucket
// grid keeps a point as a float32 offset, so a box that is exactly a component's point, and a
// nearest query from exactly there, must still find it (distance 0), and a box that stops a
// hair short of it must not.
func TestComponentsAtTheirOwnPoint(t *testing.T) {
	ds := synthCity(synthOptions{NX: 20, NY: 20, Components: 4000, Seed: 5})
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf []geo.Neighbor
	checked := 0
	for _, c := range ds.Components {
		p, ok := c.Geometry.(orb.Point)
		if !ok {
			continue
		}
		checked++
		for _, class := range []string{"", c.Major, c.Class()} {
			found := false
			ix.ComponentsIn(orb.Bound{Min: p, Max: p}, class, func(got *data.Component) bool {
				found = found || got == c
				return true
			})
			if !found {
				t.Fatalf("ComponentsIn(its own point %v, %q) misses %s", p, class, c.ID)
			}
			short := orb.Bound{Min: orb.Point{math.Nextafter(p[0], math.Inf(1)), p[1]}, Max: orb.Point{p[0] + 1e-9, p[1]}}
			ix.ComponentsIn(short, class, func(got *data.Component) bool {
				if got == c {
					t.Fatalf("ComponentsIn(%v, %q) reports %s at %v, just outside", short, class, c.ID, p)
				}
				return true
			})
			buf = ix.Nearest(p, geo.NearestQuery{K: 1, Class: class}, buf)
			if len(buf) != 1 || buf[0].Distance != 0 {
				t.Fatalf("Nearest(its own point %v, %q) = %+v, want a component at 0 m", p, class, buf)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d point components in the synthetic city", checked)
	}
}
