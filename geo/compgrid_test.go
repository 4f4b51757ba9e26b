package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestBoxAcc checks that accumulating boxes, points taken directly and accumulators merged in
// order, gives what folding every box with union gives (the grids' box before boxAcc):
// empty boxes (a shape without points) count only while there is nothing else.
func TestBoxAcc(t *testing.T) {
	empty := orb.LineString{}.Bound() // Min > Max
	pt := func(x, y float64) orb.Bound { return orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x, y}} }
	box := func(x0, y0, x1, y1 float64) orb.Bound {
		return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	for _, tc := range []struct {
		name  string
		boxes []orb.Bound
	}{
		{"points", []orb.Bound{pt(1, 2), pt(-1, 5), pt(3, 0)}},
		{"one point", []orb.Bound{pt(1, 2)}},
		{"points and boxes", []orb.Bound{pt(1, 2), box(0, 0, 0.5, 9), pt(7, -3)}},
		{"empty first", []orb.Bound{empty, pt(1, 2), pt(4, 4)}},
		{"empty between", []orb.Bound{pt(1, 2), empty, box(2, 2, 3, 3)}},
		{"empty box first", []orb.Bound{empty, box(2, 2, 3, 3), pt(0, 9)}},
		{"only empty", []orb.Bound{empty, empty}},
		{"negative zero", []orb.Bound{pt(0, 0), pt(math.Copysign(0, -1), math.Copysign(0, -1))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.boxes[0]
			for _, b := range tc.boxes {
				want = union(want, b)
			}
			for cut := range len(tc.boxes) + 1 { // two accumulators merged, cut anywhere
				var a, b boxAcc
				for i, x := range tc.boxes {
					acc := &a
					if i >= cut {
						acc = &b
					}
					if x.Min == x.Max {
						acc.addPoint(x.Min)
					} else {
						acc.addBox(x)
					}
				}
				a.add(b)
				if a.state == 0 || a.box != want {
					t.Errorf("cut at %d: %v (state %d), want %v", cut, a.box, a.state, want)
				}
			}
		})
	}
}
