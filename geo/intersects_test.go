package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"

	"citygeo/geo"
)

func TestIntersects(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"nil", nil, false},
		{"point inside", orb.Point{5, 5}, true},
		{"point on the edge", orb.Point{10, 3}, true},
		{"point outside", orb.Point{10.1, 3}, false},
		{"multipoint, one inside", orb.MultiPoint{{20, 20}, {1, 1}}, true},
		{"line through, no vertex inside", orb.LineString{{-5, 5}, {15, 5}}, true},
		// the case a bounding-box filter gets wrong: the line's box covers a corner of the box
		{"line passing a corner", orb.LineString{{8, 15}, {15, 8}}, false},
		{"line cutting a corner", orb.LineString{{8, 11}, {11, 8}}, true},
		{"line inside", orb.LineString{{1, 1}, {2, 2}}, true},
		{"line beside", orb.LineString{{11, 0}, {11, 10}}, false},
		{"one-point line inside", orb.LineString{{1, 1}}, true},
		{"polygon over the box", orb.Polygon{square(-1, -1, 11, 11)}, true},
		{"polygon inside the box", orb.Polygon{square(2, 2, 3, 3)}, true},
		{"box inside a hole", orb.Polygon{square(-5, -5, 15, 15), square(-1, -1, 11, 11)}, false},
		{"box across a hole's edge", orb.Polygon{square(-5, -5, 15, 15), square(5, 5, 11, 11)}, true},
		{"L-shaped polygon around the box's corner", orb.Polygon{{{11, -5}, {20, -5}, {20, 20}, {-5, 20}, {-5, 11}, {11, 11}, {11, -5}}}, false},
		{"ring around the box", square(-1, -1, 11, 11), true},
		{"multipolygon, second meets", orb.MultiPolygon{{square(20, 20, 30, 30)}, {square(9, 9, 12, 12)}}, true},
		{"multiline, none meets", orb.MultiLineString{{{11, 11}, {12, 12}}, {{-1, -1}, {-2, 5}}}, false},
		{"collection", orb.Collection{orb.Point{20, 20}, orb.Point{0, 0}}, true},
		{"bound", orb.Bound{Min: orb.Point{10, 10}, Max: orb.Point{12, 12}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.Intersects(tc.g, box); got != tc.want {
				t.Errorf("Intersects = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestIntersectsRandom checks lines and simple polygons (star-shaped, so often concave) against
// orb's clipping: a geometry meets the box when clipping leaves a line or a positive area.
// Touching at a single point has probability zero with random coordinates.
func TestIntersectsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 3000; i++ {
		x, y := rng.Float64()*100, rng.Float64()*100
		box := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + rng.Float64()*20, y + rng.Float64()*20}}
		cx, cy := rng.Float64()*100, rng.Float64()*100
		n := 3 + rng.IntN(8)
		var line orb.LineString
		var ring orb.Ring
		for k := 0; k < n; k++ {
			a := 2 * math.Pi * (float64(k) + rng.Float64()*0.9) / float64(n)
			r := 2 + rng.Float64()*25
			p := orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
			line = append(line, orb.Point{cx + (rng.Float64()-0.5)*40, cy + (rng.Float64()-0.5)*40})
			ring = append(ring, p)
		}
		ring = append(ring, ring[0])
		wantLine := len(clip.LineString(box, line)) > 0
		if got := geo.Intersects(line, box); got != wantLine {
			t.Fatalf("line %v, box %v: Intersects %v, clipping says %v", line, box, got, wantLine)
		}
		poly := orb.Polygon{ring}
		wantPoly := math.Abs(planar.Area(clip.Polygon(box, poly.Clone()))) > 1e-9
		if got := geo.Intersects(poly, box); got != wantPoly {
			t.Fatalf("polygon %v, box %v: Intersects %v, clipping says %v", poly, box, got, wantPoly)
		}
	}
}
