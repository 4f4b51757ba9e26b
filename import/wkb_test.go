package importer

import (
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"citygeo/data/sample"

	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	geomwkb "github.com/twpayne/go-geom/encoding/wkb"
	"github.com/twpayne/go-geom/encoding/wkbcommon"
)

// sampleWKB returns the WKB bodies of realistic GeoPackage geometries, by layer: the sample
// city's community polygons, unit grids, component points (and their few lines and polygons)
// and road centrelines, as ogr2ogr or our export would store them.
func sampleWKB(tb testing.TB) map[string][][]byte {
	tb.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 2000, Components: 5000, Seed: 7})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][][]byte{}
	add := func(layer string, g orb.Geometry) {
		b, err := orbwkb.Marshal(g, binary.LittleEndian)
		if err != nil {
			tb.Fatal(err)
		}
		out[layer] = append(out[layer], b)
	}
	for _, a := range ds.Areas {
		add("area", a.Polygon)
	}
	for _, g := range ds.Grids {
		add("grid", g.Polygon)
	}
	for _, c := range ds.Components {
		add("component", c.Geometry)
	}
	for _, r := range ds.Roads {
		add("road", r.Line)
	}
	return out
}

// decodeGoGeom is the library twin of decodeWKB: go-geom's ISO WKB decoder, then fromGeom
// (the Shapefile reader's copy into orb types, Z and M dropped), as a switch would use them.
func decodeGoGeom(b []byte) (orb.Geometry, error) {
	g, err := geomwkb.Unmarshal(b, geomwkbNaN)
	if err != nil {
		return nil, err
	}
	return fromGeom(g)
}

// geomwkbNaN reads a point of NaNs as empty, as GeoPackage writes POINT EMPTY.
var geomwkbNaN = wkbcommon.WKBOptionEmptyPointHandling(wkbcommon.EmptyPointHandlingNaN)

func TestDecodeWKBTwinsAgree(t *testing.T) {
	for layer, blobs := range sampleWKB(t) {
		for i, b := range blobs {
			own, err1 := decodeWKB(b)
			lib, err2 := decodeGoGeom(b)
			if err1 != nil || err2 != nil || !orb.Equal(own, lib) {
				t.Fatalf("%s %d: own %v (%v), go-geom %v (%v)", layer, i, own, err1, lib, err2)
			}
		}
	}
}

func BenchmarkDecodeWKB(b *testing.B) {
	data := sampleWKB(b)
	for _, layer := range []string{"area", "grid", "component", "road"} {
		blobs := data[layer]
		n := 0
		for _, x := range blobs {
			n += len(x)
		}
		for _, dec := range []struct {
			name string
			fn   func([]byte) (orb.Geometry, error)
		}{{"own", decodeWKB}, {"go-geom", decodeGoGeom}, {"go-geom-only", func(b []byte) (orb.Geometry, error) {
			_, err := geomwkb.Unmarshal(b, geomwkbNaN) // go-geom types alone, no copy into orb
			return nil, err
		}}} {
			b.Run(layer+"/"+dec.name, func(b *testing.B) {
				b.SetBytes(int64(n))
				measure(b, func() {
					for _, x := range blobs {
						if _, err := dec.fn(x); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}

// measure runs fn in b.Loop and reports allocations and, beside wall time, the process's CPU
// time per op (user + system, the garbage collector's included): on a machine shared with
// other work it moves far less than wall time.
func measure(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
