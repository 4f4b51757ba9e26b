package data

import (
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// square returns a closed ring of n+1 points around (x, y).
func square(x, y float64, n int) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := range n {
		r = append(r, orb.Point{x + float64(i%7), y + float64(i/7)})
	}
	return append(r, r[0])
}

func TestRingsPolygon(t *testing.T) {
	many := make([]orb.Polygon, ringsChunk/2+3) // two polygons each: past a chunk of ring headers
	for i := range many {
		many[i] = orb.Polygon{square(float64(i), 0, 4), square(float64(i), 0.5, 3)}
	}
	tests := map[string][]orb.Polygon{
		"nil":             {nil},
		"empty":           {{}},
		"one ring":        {{square(0, 0, 4)}},
		"ring with holes": {{square(0, 0, 40), square(1, 1, 4), square(2, 2, 4)}},
		"a ring of its own and small ones after it": {{square(0, 0, 5)}, {square(0, 0, ownChunkPoints+1)}, {square(3, 3, 6)}},
		"past the chunks": many,
		"past a chunk of points": func() []orb.Polygon {
			var ps []orb.Polygon
			for i := range 2 * ringPointsChunk / (ownChunkPoints - 1) {
				ps = append(ps, orb.Polygon{square(float64(i), 0, ownChunkPoints-2)})
			}
			return ps
		}(),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			var a Arena[Grid]
			out := make([]orb.Polygon, len(in))
			for i, p := range in {
				out[i] = a.Polygon(p)
			}
			for i, p := range in {
				got := out[i]
				if (got == nil) != (p == nil) || !polygonsEqual(got, p) {
					t.Fatalf("polygon %d: copy %v, want %v", i, got, p)
				}
				if cap(got) != len(got) {
					t.Errorf("polygon %d has room for %d more rings: an append would write over its neighbour", i, cap(got)-len(got))
				}
				for j, r := range got {
					if cap(r) != len(r) {
						t.Errorf("polygon %d ring %d has room for %d more points", i, j, cap(r)-len(r))
					}
					if len(r) > 0 && &r[0] == &p[j][0] {
						t.Errorf("polygon %d ring %d is the input's, not a copy", i, j)
					}
				}
			}
			// A copy is the arena's: the input may change or go without changing it.
			want := make([]orb.Polygon, len(in))
			for i, p := range in {
				want[i] = p.Clone()
				for _, r := range p {
					for k := range r {
						r[k] = orb.Point{-9, -9}
					}
				}
			}
			runtime.GC()
			for i, got := range out {
				if !polygonsEqual(got, want[i]) {
					t.Fatalf("polygon %d changed with its input", i)
				}
			}
		})
	}
}

// TestArenaPolygonsOutliveTheirSource: grids whose polygons went into an arena keep them
// through collections that reuse freed memory, held by nothing but the grids themselves.
func TestArenaPolygonsOutliveTheirSource(t *testing.T) {
	const n = 3000
	var a Arena[Grid]
	grids := make([]*Grid, n)
	for i := range grids {
		g := Grid{Code: fmt.Sprintf("440303001001%03d", i%1000), Polygon: orb.Polygon{square(float64(i), 1, 4+i%9)}}
		grids[i] = NewGrid(&a, &g)
	}
	a = Arena[Grid]{} // the grids alone hold the keep now
	for range 3 {
		runtime.GC()
		junk := make([][]orb.Point, 0, 1000)
		for range 1000 { // fill what a collection freed, so a lost chunk would be overwritten
			junk = append(junk, slices.Repeat([]orb.Point{{-1, -1}}, 64))
		}
		runtime.KeepAlive(junk)
	}
	for i, g := range grids {
		if want := (orb.Polygon{square(float64(i), 1, 4+i%9)}); !polygonsEqual(g.Polygon, want) {
			t.Fatalf("grid %d: polygon %v after collections, want %v", i, g.Polygon, want)
		}
	}
	if got, err := VerifyArena(grids, func(g *Grid) string { return g.Code }); got != n || err != nil {
		t.Errorf("VerifyArena = %d, %v; want %d, nil", got, err, n)
	}
}

// TestPolygonsOutliveTheirArena: a polygon copied into an arena and kept after the arena and
// every feature of it are gone (its chunk of ring headers is not scanned) still holds its points,
// through collections that reuse freed memory.
func TestPolygonsOutliveTheirArena(t *testing.T) {
	const n = 3000
	polys := make([]orb.Polygon, n)
	func() {
		var a Arena[Building]
		for i := range polys {
			polys[i] = a.Polygon(orb.Polygon{square(float64(i), 2, 4+i%9), square(float64(i), 3, 4)})
		}
	}()
	for range 3 {
		runtime.GC()
		junk := make([][]orb.Point, 0, 1000)
		for range 1000 {
			junk = append(junk, slices.Repeat([]orb.Point{{-1, -1}}, 64))
		}
		runtime.KeepAlive(junk)
	}
	for i, p := range polys {
		if want := (orb.Polygon{square(float64(i), 2, 4+i%9), square(float64(i), 3, 4)}); !polygonsEqual(p, want) {
			t.Fatalf("polygon %d: %v after collections, want %v", i, p, want)
		}
	}
}

func polygonsEqual(a, b orb.Polygon) bool {
	return slices.EqualFunc(a, b, func(x, y orb.Ring) bool { return slices.Equal(x, y) })
}
