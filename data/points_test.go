package data_test

import (
	"runtime"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// TestPointsGeometry boxes points in chunks and checks that each behaves as the point boxed the
// ordinary way, in type switches, comparisons and after collections that would reclaim a chunk
// still in use.
func TestPointsGeometry(t *testing.T) {
	var s data.Points
	const n = 3000 // several chunks
	geoms := make([]orb.Geometry, n)
	for i := range n {
		geoms[i] = s.Geometry(orb.Point{float64(i), -float64(i) / 2})
	}
	s = data.Points{}
	runtime.GC()
	runtime.GC()
	garbage := make([][]orb.Point, 0, 64) // reuse freed memory, if any was wrongly freed
	for range 64 {
		garbage = append(garbage, make([]orb.Point, 1024))
	}
	for i, g := range geoms {
		want := orb.Point{float64(i), -float64(i) / 2}
		p, ok := g.(orb.Point)
		if !ok || p != want {
			t.Fatalf("geometry %d = %#v, want %v", i, g, want)
		}
		if g != orb.Geometry(want) {
			t.Fatalf("geometry %d != the boxed %v", i, want)
		}
		if g.GeoJSONType() != "Point" || g.Bound() != want.Bound() {
			t.Fatalf("geometry %d: methods give %s %v", i, g.GeoJSONType(), g.Bound())
		}
	}
	runtime.KeepAlive(garbage)
}

func BenchmarkPointsGeometry(b *testing.B) {
	b.Run("chunked", func(b *testing.B) {
		var s data.Points
		for i := 0; b.Loop(); i++ {
			_ = s.Geometry(orb.Point{float64(i), 1})
		}
	})
	b.Run("boxed", func(b *testing.B) {
		var sink orb.Geometry
		for i := 0; b.Loop(); i++ {
			sink = orb.Point{float64(i), 1}
		}
		_ = sink
	})
}
