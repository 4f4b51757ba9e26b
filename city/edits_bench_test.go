package city_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/geo"
	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// benchCity serves a generated city from a new store: CITYGEO_BENCH_GRIDS and
// CITYGEO_BENCH_COMPONENTS size it (default 2,000 grids and 40,000 components; the large city
// is 100000 and 2000000), or CITYGEO_BENCH_STORE names an existing store to serve instead.
func benchCity(b *testing.B) (*city.City, []*data.Component) { return benchCityT(b) }

func benchCityT(b testing.TB) (*city.City, []*data.Component) {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("CITYGEO_BENCH_STORE")
	if path == "" {
		grids, comps := envInt("CITYGEO_BENCH_GRIDS", 2000), envInt("CITYGEO_BENCH_COMPONENTS", 40000)
		ds, err := sample.Generate(sample.Options{Grids: grids, Components: comps, Seed: 9})
		if err != nil {
			b.Fatal(err)
		}
		path = filepath.Join(b.TempDir(), "city.db")
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Save(ctx, ds, "bench"); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	c := city.New(st, city.Options{TileCache: tiles.NewCache(0)}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		b.Fatal(err)
	}
	var pts []*data.Component
	for _, cp := range c.Current().Dataset.Components {
		if _, ok := cp.Geometry.(orb.Point); ok && cp.Grid != "" {
			pts = append(pts, cp)
			if len(pts) == 4000 {
				break
			}
		}
	}
	return c, pts
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// nudge returns c moved a few centimetres east (i-th step) with a new name: an edit the
// validator accepts (still in its grid) whose effect a locate at the new point sees.
func nudge(c *data.Component, i int) *data.Dataset {
	n := *c
	p := c.Geometry.(orb.Point)
	n.Geometry = orb.Point{p[0] + float64(i%5)*1e-7, p[1]}
	n.Name = "bench-" + strconv.Itoa(i)
	return &data.Dataset{Components: []*data.Component{&n}}
}

// BenchmarkEditToVisible is the latency from sending an edit to seeing it: City.Edit (validate,
// record durably, publish the overlay) then the nearest-component query at the new place, which
// must return the edited name. Folds run in the background when the overlay reaches FoldAfter.
func BenchmarkEditToVisible(b *testing.B) {
	ctx := context.Background()
	c, comps := benchCity(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		cp := comps[i%len(comps)]
		after := nudge(cp, i)
		cur := c.Current().Component(cp.ID)
		if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: cp.ID, Op: data.OpUpdate, After: after,
			IfMatch: city.FeatureETag(&data.Dataset{Components: []*data.Component{cur}}), Who: "bench"}); err != nil {
			b.Fatal(err)
		}
		p := after.Components[0].Geometry.(orb.Point)
		ns := c.Current().Nearest(p, geo.NearestQuery{K: 1, Radius: 1}, nil)
		if len(ns) != 1 || ns[0].Component.Name != after.Components[0].Name {
			b.Fatalf("edit %d not visible: %+v", i, ns)
		}
	}
}

// BenchmarkEditsSustained runs editors in parallel (b.RunParallel: GOMAXPROCS × -cpu
// goroutines) and reports edits per second, each one durable when it returns.
func BenchmarkEditsSustained(b *testing.B) {
	ctx := context.Background()
	c, comps := benchCity(b)
	var next atomic.Int64
	b.SetParallelism(4) // 8 editors on 2 cores; consecutive edits name different components
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			cp := comps[i%len(comps)]
			_, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: cp.ID, Op: data.OpUpdate, After: nudge(cp, i),
				IfMatch: "*", Who: "bench"})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "edits/s")
}

// BenchmarkEditToClusterTile times an edit and the zoom-14 tile that clusters it, rebuilt with
// the edit (the edit touched it, so it is not served from the cache).
func BenchmarkEditToClusterTile(b *testing.B) {
	ctx := context.Background()
	c, comps := benchCity(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		cp := comps[i%len(comps)]
		after := nudge(cp, i)
		if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: cp.ID, Op: data.OpUpdate, After: after,
			IfMatch: "*", Who: "bench"}); err != nil {
			b.Fatal(err)
		}
		mt := maptile.At(after.Components[0].Geometry.(orb.Point), 14)
		if _, err := c.Current().Tiles.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGridEditToVisible is BenchmarkEditToVisible for a grid: City.Edit of a grid's area,
// then the grid by code and its zoom-15 tile, rebuilt with the edit (the edit touched it, so it
// is not served from the cache), both showing the new area.
func BenchmarkGridEditToVisible(b *testing.B) {
	ctx := context.Background()
	c, _ := benchCity(b)
	grids := c.Current().Dataset.Grids
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		base := grids[i%len(grids)]
		g := *base
		g.AreaM2 = base.AreaM2 + float64(i%5+1)
		if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerGrid, ID: g.Code, Op: data.OpUpdate,
			After: &data.Dataset{Grids: []*data.Grid{&g}}, IfMatch: "*", Who: "bench"}); err != nil {
			b.Fatal(err)
		}
		snap := c.Current()
		if got := snap.Grid(g.Code); got == nil || got.AreaM2 != g.AreaM2 {
			b.Fatalf("edit %d of grid %s not visible: %+v", i, g.Code, got)
		}
		mt := maptile.At(g.Polygon.Bound().Center(), 15)
		if _, err := snap.Tiles.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y)); err != nil {
			b.Fatal(err)
		}
	}
}
