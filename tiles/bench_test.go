package tiles_test

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/tiles"

	"github.com/klauspost/compress/gzip"

	"github.com/paulmach/orb/maptile"
)

var big struct {
	once sync.Once
	ds   *data.Dataset
	ix   *tiles.Index
	err  error
}

// bigCity is the 100k-grid sample city (about 2M components), built once per test binary.
func bigCity(b *testing.B) (*data.Dataset, *tiles.Index) {
	big.once.Do(func() {
		big.ds, big.err = sample.Generate(sample.Options{Grids: 100000})
		if big.err == nil {
			big.ix, big.err = tiles.NewIndex(big.ds)
		}
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.ds, big.ix
}

// z15Tiles returns the z15 tiles over the middle of the city, to cycle through.
func z15Tiles(ds *data.Dataset) []maptile.Tile {
	var out []maptile.Tile
	c := ds.Bound().Center()
	m := maptile.At(c, 15)
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			out = append(out, maptile.New(uint32(int(m.X)+dx), uint32(int(m.Y)+dy), 15))
		}
	}
	return out
}

// BenchmarkGridsZ15 is the done-when figure: an uncached grids tile at z15 of a 100k-grid city.
func BenchmarkGridsZ15(b *testing.B) {
	ds, ix := bigCity(b)
	ts := z15Tiles(ds)
	opts := tiles.Options{Layers: []string{"grids"}}
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		res, err := tiles.Build(ix, nil, tiles.SetCity, ts[i%len(ts)], opts)
		lat = append(lat, time.Since(t0))
		if err != nil || res.Features["grids"] == 0 {
			b.Fatal(err, res.Features)
		}
	}
	reportPercentiles(b, lat)
}

// BenchmarkGridsZ15Served is the grids tile as `serve --tile-cache-mb 0` builds it: through
// a Tiler whose cache is off, the tile released once served, no gzip asked.
func BenchmarkGridsZ15Served(b *testing.B) {
	ds, ix := bigCity(b)
	ts := z15Tiles(ds)
	tr := tiles.NewTiler(ix, tiles.NewCacheOff(), tiles.Options{})
	layers := []string{tiles.LayerGrids}
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := ts[i%len(ts)]
		t0 := time.Now()
		tl, err := tr.TileLayers(tiles.SetCity, int(t.Z), int(t.X), int(t.Y), layers)
		lat = append(lat, time.Since(t0))
		if err != nil || tl.Empty {
			b.Fatal(err, tl)
		}
		tl.Release()
	}
	reportPercentiles(b, lat)
}

// BenchmarkGzipTile compresses a z15 tile of the 100k-grid city (all layers) at the level a
// cached tile gets and at the one a tile sent once gets, and reports the compressed size.
func BenchmarkGzipTile(b *testing.B) {
	ds, ix := bigCity(b)
	res, err := tiles.Build(ix, nil, tiles.SetCity, z15Tiles(ds)[12], tiles.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, level := range []struct {
		name  string
		level int
	}{{"kept", gzip.DefaultCompression}, {"once", gzip.BestSpeed}} {
		b.Run(level.name, func(b *testing.B) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, level.level)
			b.SetBytes(int64(len(res.Data)))
			for b.Loop() {
				buf.Reset()
				zw.Reset(&buf)
				zw.Write(res.Data)
				zw.Close()
			}
			b.ReportMetric(float64(buf.Len())/float64(len(res.Data)), "ratio")
		})
	}
}

// reportPercentiles adds p50 and p99 latency to the benchmark output.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkCityZ15 builds the full city tile (all four layers) at z15.
func BenchmarkCityZ15(b *testing.B) {
	ds, ix := bigCity(b)
	ts := z15Tiles(ds)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := tiles.Build(ix, nil, tiles.SetCity, ts[i%len(ts)], tiles.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedTile is a cache hit through Tiler.Tile.
func BenchmarkCachedTile(b *testing.B) {
	ds := testCity(20, 20)
	tr := tiles.NewTiler(mustIndex(b, ds), tiles.NewCache(0), tiles.Options{})
	tl := maptile.At(ds.Bound().Center(), 15)
	if _, err := tr.Tile(tiles.SetCity, 15, int(tl.X), int(tl.Y)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.Tile(tiles.SetCity, 15, int(tl.X), int(tl.Y))
	}
}

// BenchmarkNewIndex100k is the per-version cost of the tile index for the 100k-grid city.
func BenchmarkNewIndex100k(b *testing.B) {
	ds, _ := bigCity(b)
	b.ReportAllocs()
	for b.Loop() {
		mustIndex(b, ds)
	}
}
