package api_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data/sqlite"
)

// BenchmarkLocateBatch is POST /v1/locate/batch of 1,000 random points through the whole gin
// stack (no network), grid only (k=0) and with the default nearest components, and of 10,000
// points in the text/csv form; points/s is the issue-18 figure.
func BenchmarkLocateBatch(b *testing.B) {
	srv, ds := newSampleServer(b)
	h := srv.Handler()
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(1, 2))
	var pts, lines bytes.Buffer
	for i := range 10000 {
		lng, lat := bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1])
		fmt.Fprintf(&lines, "%.7f,%.7f\n", lng, lat)
		if i >= 1000 {
			continue
		}
		if i > 0 {
			pts.WriteByte(',')
		}
		fmt.Fprintf(&pts, `{"id":"p%d","lng":%.7f,"lat":%.7f}`, i, lng, lat)
	}
	for _, k := range []string{`"k":0,`, ""} {
		name := "grid"
		if k == "" {
			name = "components"
		}
		body := []byte(`{` + k + `"points":[` + pts.String() + `]}`)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			w := &discardWriter{h: http.Header{}} // the server's cost, not a recorder's growing buffer
			for b.Loop() {
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, httptest.NewRequest("POST", "/v1/locate/batch", bytes.NewReader(body)))
				if w.status != 200 {
					b.Fatal(w.status)
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "points/s")
			b.ReportMetric(float64(b.N)*1000/(processCPU()-cpu).Seconds(), "points/cpu-s")
		})
	}
	b.Run("csv", func(b *testing.B) {
		body := lines.Bytes()
		b.ReportAllocs()
		cpu := processCPU()
		w := &discardWriter{h: http.Header{}}
		for b.Loop() {
			clear(w.h)
			w.status = 0
			req := httptest.NewRequest("POST", "/v1/locate/batch", bytes.NewReader(body))
			req.Header.Set("Content-Type", "text/csv")
			h.ServeHTTP(w, req)
			if w.status != 200 {
				b.Fatal(w.status)
			}
		}
		b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "points/s")
		b.ReportMetric(float64(b.N)*10000/(processCPU()-cpu).Seconds(), "points/cpu-s")
	})
}

// processCPU is the CPU time the process has used (user and system, all threads, so the
// garbage collector's too): on a shared machine, work per CPU-second is the figure that does
// not move with the neighbours' load, where work per wall-second does.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLocateBatchStore is the grid-only JSON batch of BenchmarkLocateBatch on a stored
// city, for the figure on a large one (issue 18: 100k grids, 2M components), where a lookup's
// cache misses, not its instructions, are the cost: CITYGEO_BENCH_STORE names a SQLite store
// (a copy: opening it may write beside it), e.g. the city bench/side imports. The bodies are the
// harness's: 1,000 random points over the grids' extent a request, six decimals.
func BenchmarkLocateBatchStore(b *testing.B) {
	path := os.Getenv("CITYGEO_BENCH_STORE")
	if path == "" {
		b.Skip("CITYGEO_BENCH_STORE names no stored city")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	v, err := st.ActiveVersion(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ds, err := st.Load(ctx, v)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := api.New(api.Options{Logger: quietLog})
	srv.Swap(snap)
	h := srv.Handler()
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(18, 2026))
	bodies := make([][]byte, 64)
	for i := range bodies {
		body := []byte(`{"k":0,"points":[`)
		for j := range 1000 {
			if j > 0 {
				body = append(body, ',')
			}
			body = fmt.Appendf(body, `{"lng":%.6f,"lat":%.6f}`, bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]))
		}
		bodies[i] = append(body, "]}"...)
	}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	w := &discardWriter{h: http.Header{}}
	for i := 0; b.Loop(); i++ {
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, httptest.NewRequest("POST", "/v1/locate/batch", bytes.NewReader(bodies[i%len(bodies)])))
		if w.status != 200 {
			b.Fatal(w.status)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(b.N)*1000/(processCPU()-cpu).Seconds(), "points/cpu-s")
}
