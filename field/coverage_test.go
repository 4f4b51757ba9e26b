package field_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/field"
	"citygeo/geo"
)

// cross is two roads crossing at a shared vertex: an arterial running east 400 m and a
// branch running north 400 m, each cut into two 200 m segments at the crossing.
func cross() (*field.Network, func(east, north float64) orb.Point) {
	pl := geo.LocalPlane(orb.Point{114.1, 22.55})
	at := func(east, north float64) orb.Point { return pl.FromMetres(orb.Point{east, north}) }
	return field.NewNetwork([]*data.Road{
		{ID: 1, Name: "深南东路", Class: data.RoadArterial, Line: orb.LineString{at(-200, 0), at(0, 0), at(200, 0)}},
		{ID: 2, Name: "和平路", Class: data.RoadBranch, Line: orb.LineString{at(0, -200), at(0, 0), at(0, 200)}},
	}), at
}

// walk returns fixes every 10 s along the straight legs between the given points (metres east
// and north), at 1.3 m/s, with a deterministic zigzag of 6 m either side as GPS noise.
func walk(at func(e, n float64) orb.Point, legs ...[2]float64) []data.Fix {
	var out []data.Fix
	t := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for i := 0; i+1 < len(legs); i++ {
		a, b := legs[i], legs[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := max(abs(dx), abs(dy))
		for d := 0.0; d < l; d += 13 {
			side := 6.0
			if len(out)%2 == 1 {
				side = -6
			}
			e, n := a[0]+dx*d/l, a[1]+dy*d/l
			if dx != 0 {
				n += side
			} else {
				e += side
			}
			out = append(out, data.Fix{Device: "p", Time: t, Point: at(e, n)})
			t = t.Add(10 * time.Second)
		}
	}
	return out
}

func abs(v float64) float64 { return max(v, -v) }

func TestPasses(t *testing.T) {
	n, at := cross()
	if len(n.Segments) != 4 {
		t.Fatalf("%d segments, want 4 (two roads cut at their crossing)", len(n.Segments))
	}
	seg := func(road uint64, part int) int {
		for _, s := range n.Segments {
			if s.Road.ID == road && s.Part == part {
				return s.ID
			}
		}
		t.Fatalf("no segment %d/%d", road, part)
		return -1
	}
	west, east, south, north := seg(1, 0), seg(1, 1), seg(2, 0), seg(2, 1)
	for _, tc := range []struct {
		name string
		legs [][2]float64
		want map[int]int
	}{
		{"along the arterial", [][2]float64{{-200, 0}, {200, 0}}, map[int]int{west: 1, east: 1}},
		{"there and back", [][2]float64{{-200, 0}, {200, 0}, {-200, 0}}, map[int]int{west: 2, east: 2}},
		{"turning at the crossing", [][2]float64{{-200, 0}, {0, 0}, {0, 200}}, map[int]int{west: 1, north: 1}},
		{"halfway and back is no pass", [][2]float64{{-200, 0}, {-100, 0}, {-200, 0}}, map[int]int{}},
		{"three quarters of the way counts", [][2]float64{{-200, 0}, {-40, 0}}, map[int]int{west: 1}},
		{"round the block of the crossing", [][2]float64{{0, -200}, {0, 200}, {0, 0}, {200, 0}, {-200, 0}},
			map[int]int{south: 1, north: 2, east: 2, west: 1}},
		{"standing still", [][2]float64{{-100, 0}, {-100, 0.5}}, map[int]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := n.Passes(walk(at, tc.legs...), field.CoverageOptions{})
			if len(got) != len(tc.want) {
				t.Fatalf("passes %v, want %v", got, tc.want)
			}
			for s, k := range tc.want {
				if got[s] != k {
					t.Errorf("passes %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestForceCoverage(t *testing.T) {
	n, at := cross()
	reg, _ := field.NewRegistry([]data.Device{{ID: "p", Kind: data.DevicePerson, Name: "张三", Team: "东门中队"}})
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	f := open(t, &field.MemTracks{}, field.Options{Devices: reg, Now: func() time.Time { return now }})
	// Five passes of the west half of the arterial, one of the east half.
	tr := walk(at, [2]float64{-200, 0}, [2]float64{0, 0}, [2]float64{-200, 0}, [2]float64{0, 0}, [2]float64{-200, 0}, [2]float64{200, 0})
	if _, err := f.Ingest(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
	from, to := field.Day(tr[0].Time)
	got, err := f.Coverage(context.Background(), n, []string{"p"}, from, to, field.CoverageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pc := got[0]
	if pc.Name != "张三" || pc.Fixes != len(tr) || pc.Covered != 1 || pc.Short != 1 || len(pc.Segments) != 2 {
		t.Fatalf("coverage = %+v", pc)
	}
	for _, sc := range pc.Segments {
		want := map[int]string{0: field.Covered, 1: field.Short}[sc.Part]
		if sc.Road != "深南东路" || sc.Target != 5 || sc.Status != want {
			t.Errorf("segment %+v, want status %s", sc, want)
		}
	}
}
