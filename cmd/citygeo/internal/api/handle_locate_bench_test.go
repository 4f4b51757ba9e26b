package api_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
)

// BenchmarkLocateBatch is POST /v1/locate/batch of 1,000 random points through the whole gin
// stack (no network), grid only (k=0) and with the default nearest components; points/s is
// the issue-18 figure.
func BenchmarkLocateBatch(b *testing.B) {
	srv, ds := newSampleServer(b)
	h := srv.Handler()
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(1, 2))
	var pts bytes.Buffer
	for i := range 1000 {
		if i > 0 {
			pts.WriteByte(',')
		}
		fmt.Fprintf(&pts, `{"id":"p%d","lng":%.7f,"lat":%.7f}`, i,
			bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]))
	}
	for _, k := range []string{`"k":0,`, ""} {
		name := "grid"
		if k == "" {
			name = "components"
		}
		body := []byte(`{` + k + `"points":[` + pts.String() + `]}`)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/locate/batch", bytes.NewReader(body)))
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "points/s")
		})
	}
}
