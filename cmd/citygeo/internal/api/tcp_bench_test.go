package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkOverTCP is one keep-alive connection sending GETs to a real listener: the empty gin
// handler (gin.New(), one route) and citygeo's point → grid and nearest of a class. The client
// writes prepared requests and reads answers into one buffer, allocating nothing, so B/op and
// allocs/op are the server's whole cost of a request, net/http's included: what sets how often
// the collector runs under load (README, Collector while serving). cpu-ns/op is the process's.
func BenchmarkOverTCP(b *testing.B) {
	srv, ds := newSampleServer(b)
	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	body := []byte("{}")
	bare.GET("/v1/locate", func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", body) })
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(9, 10))
	requests := func(query string) [][]byte {
		out := make([][]byte, 512)
		for i := range out {
			out[i] = fmt.Appendf(nil, "GET /v1/locate?lng=%.6f&lat=%.6f&%s HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n",
				bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]), query)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		h     http.Handler
		query string
	}{
		{"empty gin handler", bare, "k=0"},
		{"point → grid", srv.Handler(), "k=0"},
		{"nearest of a class", srv.Handler(), "k=1&radius=5000&class=0118"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ts := httptest.NewServer(tc.h)
			defer ts.Close()
			conn, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReaderSize(conn, 64<<10)
			reqs := requests(tc.query)
			var answer []byte
			roundTrip := func(i int) {
				if _, err := conn.Write(reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				if answer, err = readAnswer(r, answer[:0]); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 64 { // pools, metric children, the connection's buffers
				roundTrip(i)
			}
			b.ReportAllocs()
			cpu := processCPU()
			for i := 0; b.Loop(); i++ {
				roundTrip(i)
			}
			b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// readAnswer reads one HTTP/1.1 answer with a Content-Length into buf, and fails on any status
// but 200.
func readAnswer(r *bufio.Reader, buf []byte) ([]byte, error) {
	n := -1
	for first := true; ; first = false {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return buf, err
		}
		if first && !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
			return buf, fmt.Errorf("answer %q", line)
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			n = 0
			for _, d := range bytes.TrimSpace(v) { // strconv.Atoi would take a string, made for it
				n = n*10 + int(d-'0')
			}
		}
	}
	if n < 0 {
		return buf, fmt.Errorf("no Content-Length")
	}
	buf = slices.Grow(buf[:0], n)[:n]
	_, err := io.ReadFull(r, buf)
	return buf, err
}
