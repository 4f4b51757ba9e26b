package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/field"
	"citygeo/field/fieldsim"
	"citygeo/jt808"
)

// replayServer is the API and the JT/T 808 listener over a field force on a SQLite tracks file,
// with a device and a dispatcher token, serving the sample city.
type replayServer struct {
	url, jt     string
	device, hub string // tokens
	force       *field.Force
}

func newReplayServer(t testing.TB, ds *data.Dataset, day *fieldsim.Day, now time.Time) *replayServer {
	t.Helper()
	st, err := sqlite.OpenTracks(filepath.Join(t.TempDir(), "tracks.db"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := field.NewRegistry(day.Devices)
	if err != nil {
		t.Fatal(err)
	}
	f, err := field.Open(context.Background(), st, field.Options{Devices: reg, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); st.Close() })
	rs := &replayServer{force: f}
	var entries []api.TokenHash
	for _, tk := range []struct {
		role api.Role
		dst  *string
	}{{api.RoleDevice, &rs.device}, {api.RoleDispatcher, &rs.hub}} {
		tok, hash, _ := api.NewToken()
		*tk.dst = tok
		entries = append(entries, api.TokenHash{Name: string(tk.role), Role: tk.role, SHA256: hash})
	}
	auth, _ := api.NewAuth(&api.AuthConfig{Tokens: entries})
	srv := api.New(api.Options{Auth: auth, Field: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(snap)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	rs.url, rs.jt = ts.URL, serveJT808(t, f)
	return rs
}

// replay sends a generated day through both doors: the patrollers' fixes as HTTP batches of
// 1,000 from 4 connections, the vehicles' as JT/T 808 batch uploads (0x0704) of 30 from one
// connection each. It returns the fixes acknowledged.
func (rs *replayServer) replay(t testing.TB, day *fieldsim.Day) int {
	t.Helper()
	var persons []data.Fix
	var vehicles []data.Device
	for _, d := range day.Devices {
		if d.Kind == data.DevicePerson {
			persons = append(persons, day.Tracks[d.ID]...)
		} else {
			vehicles = append(vehicles, d)
		}
	}
	var mu sync.Mutex
	acked := 0
	var wg sync.WaitGroup
	batches := make(chan []data.Fix)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for b := range batches {
				n, err := rs.post(client, b)
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				acked += n
				mu.Unlock()
			}
		}()
	}
	for _, v := range vehicles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tm := dialTerminal(t, rs.jt, v.ID, true)
			tm.login()
			track := day.Tracks[v.ID]
			for i := 0; i < len(track); i += 30 { // 30 reports: 903 bytes, within a frame's 1,023
				var b jt808.Batch
				for _, fx := range track[i:min(i+30, len(track))] {
					b.Locations = append(b.Locations, jt808.Location{Status: jt808.StatusPositioned | jt808.StatusACC,
						Lat: fx.Point[1], Lon: fx.Point[0], Speed: float64(fx.Speed) * 3.6, Time: fx.Time})
				}
				body, err := jt808.AppendBatch(nil, &b)
				if err != nil {
					t.Error(err)
					return
				}
				tm.send(tm.frame(jt808.MsgBatch, body))
				if r := tm.response(); r.Result != jt808.ResultOK {
					t.Errorf("vehicle %s: batch answered %d", v.ID, r.Result)
					return
				}
				mu.Lock()
				acked += len(b.Locations)
				mu.Unlock()
			}
		}()
	}
	// Interleave the patrollers' fixes in time order, as a gateway relaying them live would.
	slicesSortByTime(persons)
	for i := 0; i < len(persons); i += 1000 {
		batches <- persons[i:min(i+1000, len(persons))]
	}
	close(batches)
	wg.Wait()
	return acked
}

// post sends one batch of fixes and returns how many were accepted.
func (rs *replayServer) post(client *http.Client, fixes []data.Fix) (int, error) {
	type fixIn struct {
		Device   string    `json:"device"`
		Time     time.Time `json:"time"`
		Lng      float64   `json:"lng"`
		Lat      float64   `json:"lat"`
		Speed    float32   `json:"speed"`
		Accuracy float32   `json:"accuracy"`
	}
	in := make([]fixIn, len(fixes))
	for i, f := range fixes {
		in[i] = fixIn{f.Device, f.Time, f.Point[0], f.Point[1], f.Speed, f.Accuracy}
	}
	body, _ := json.Marshal(map[string]any{"crs": "cgcs2000", "fixes": in})
	req, _ := http.NewRequest("POST", rs.url+"/v1/positions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+rs.device)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var rep field.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != 200 || len(rep.Rejected) > 0 {
		return 0, fmt.Errorf("batch: status %d, %+v (%v)", resp.StatusCode, rep, err)
	}
	return rep.Accepted, nil
}

// coverage asks GET /v1/coverage for the day and returns the passes per person and segment.
func (rs *replayServer) coverage(t testing.TB, date string) map[string]map[int]int {
	t.Helper()
	req, _ := http.NewRequest("GET", rs.url+"/v1/coverage?date="+date, nil)
	req.Header.Set("Authorization", "Bearer "+rs.hub)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		People []field.PersonCoverage
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("coverage: %d (%v)", resp.StatusCode, err)
	}
	got := map[string]map[int]int{}
	for _, p := range out.People {
		got[p.Device] = map[int]int{}
		for _, s := range p.Segments {
			got[p.Device][s.Segment] = s.Passes
		}
	}
	return got
}

var sampleDataset = sync.OnceValues(func() (*data.Dataset, error) { return sample.Generate(sample.Options{}) })

// TestDayReplayBothDoors replays a generated day (20 patrollers and 5 vehicles over two hours)
// through both doors and checks every fix was acknowledged and stored, and that the coverage
// the API computes from the stored tracks agrees with the generator's truth on at least 95 %
// of (patroller, segment) pairs.
func TestDayReplayBothDoors(t *testing.T) {
	ds, err := sampleDataset()
	if err != nil {
		t.Fatal(err)
	}
	net := field.NewNetwork(ds.Roads)
	day, err := fieldsim.Generate(net, fieldsim.Options{Patrollers: 20, Vehicles: 5, Hours: 2, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, field.CST)
	rs := newReplayServer(t, ds, day, start.Add(3*time.Hour))
	if n := rs.replay(t, day); n != day.Fixes() {
		t.Fatalf("%d of %d fixes acknowledged", n, day.Fixes())
	}
	for _, d := range day.Devices {
		got, err := rs.force.Track(context.Background(), d.ID, start, start.Add(3*time.Hour))
		if err != nil || len(got) != len(day.Tracks[d.ID]) {
			t.Fatalf("%s: %d fixes stored, %d sent (%v)", d.ID, len(got), len(day.Tracks[d.ID]), err)
		}
	}
	agree, pairs := fieldsim.Agreement(day.Truth, rs.coverage(t, "2026-11-20"))
	t.Logf("%d fixes through both doors; coverage agrees with the truth on %d of %d (patroller, segment) pairs", day.Fixes(), agree, pairs)
	if float64(agree) < 0.95*float64(pairs) {
		t.Errorf("agreement %.1f%%, want ≥ 95%%", 100*float64(agree)/float64(pairs))
	}
}

// BenchmarkDayReplay is the day: 200 patrollers at 10 s for 19.5 h (1.4M fixes) and 50
// vehicles, through both doors; it reports the replay rate, the agreement of the coverage with
// the truth and the time the day's coverage takes. Run it once: -benchtime 1x.
func BenchmarkDayReplay(b *testing.B) {
	ds, err := sampleDataset()
	if err != nil {
		b.Fatal(err)
	}
	net := field.NewNetwork(ds.Roads)
	// 04:00 to 23:30: the whole walk within the one patrol day the coverage is asked for.
	start := time.Date(2026, 11, 20, 4, 0, 0, 0, field.CST)
	day, err := fieldsim.Generate(net, fieldsim.Options{Patrollers: 200, Vehicles: 50, Start: start, Hours: 19.5, Seed: 11})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rs := newReplayServer(b, ds, day, start.Add(20*time.Hour))
		t0 := time.Now()
		n := rs.replay(b, day)
		replay := time.Since(t0)
		t0 = time.Now()
		got := rs.coverage(b, "2026-11-20")
		cov := time.Since(t0)
		agree, pairs := fieldsim.Agreement(day.Truth, got)
		b.ReportMetric(float64(n), "fixes")
		b.ReportMetric(float64(n)/replay.Seconds(), "fixes/s")
		b.ReportMetric(100*float64(agree)/float64(pairs), "agree-%")
		b.ReportMetric(cov.Seconds(), "coverage-s")
	}
}

func slicesSortByTime(fs []data.Fix) {
	slices.SortStableFunc(fs, func(a, b data.Fix) int { return a.Time.Compare(b.Time) })
}
