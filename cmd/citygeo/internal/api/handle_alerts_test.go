package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/field"
)

// TestAlertStream: a fix entering a forbidden zone reaches an SSE subscriber within a second
// of its ingest, even when the stream has outlived the server's write timeout, and a
// reconnecting client given Last-Event-ID gets only what it missed.
func TestAlertStream(t *testing.T) {
	zone := orb.Polygon{{{114.11, 22.54}, {114.12, 22.54}, {114.12, 22.55}, {114.11, 22.55}, {114.11, 22.54}}}
	fences, err := field.NewFences(field.FenceOptions{Fences: []field.Fence{{ID: "no-muck", Name: "禁入区", Kind: field.FenceForbidden, Area: zone}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := fieldNow
	f, err := field.Open(context.Background(), &field.MemTracks{}, field.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fences.Watch(f)
	tok, hash, _ := api.NewToken()
	auth, _ := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "d", Role: api.RoleDispatcher, SHA256: hash}}})
	ts := httptest.NewUnstartedServer(api.New(api.Options{Auth: auth, Logger: quietLog, Field: f, Fences: fences}).Handler())
	ts.Config.WriteTimeout = 300 * time.Millisecond // a stream outlives the server's write timeout
	ts.Start()
	defer ts.Close()

	open := func(lastID string) (*bufio.Reader, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/alerts/stream", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("stream: %v %v", resp, err)
		}
		return bufio.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }
	}
	// next reads one event: its id and alert.
	next := func(r *bufio.Reader) (string, field.Alert) {
		var id string
		var a field.Alert
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "id: "):
				id = line[4:]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[6:]), &a); err != nil {
					t.Fatal(err)
				}
			case line == "" && id != "":
				return id, a
			}
		}
	}
	r, stop := open("")
	time.Sleep(time.Second) // past the write timeout: the stream must still deliver
	enter := func(dev string, at time.Time) time.Time {
		sent := time.Now()
		if _, err := f.Ingest(context.Background(), []data.Fix{{Device: dev, Time: at, Point: orb.Point{114.115, 22.545}}}); err != nil {
			t.Fatal(err)
		}
		return sent
	}
	sent := enter("truck-1", now)
	id, a := next(r)
	if lag := time.Since(sent); lag > time.Second {
		t.Errorf("the alert reached the subscriber %v after the fix", lag)
	}
	if id != "1" || a.Kind != field.AlertEnteredForbidden || a.Device != "truck-1" || a.Fence != "no-muck" {
		t.Errorf("event %s: %+v", id, a)
	}
	stop()
	enter("truck-2", now.Add(time.Second)) // raised while no one listens
	r, stop = open(id)
	defer stop()
	if id, a := next(r); id != "2" || a.Device != "truck-2" {
		t.Errorf("after reconnecting with Last-Event-ID 1: event %s %+v, want the missed alert 2", id, a)
	}
	code, list := do(t, ts.Config.Handler, "GET", "/v1/alerts?since=1", nil, "Authorization", "Bearer "+tok)
	if code != 200 || len(list["alerts"].([]any)) != 1 {
		t.Errorf("list since 1: %d %v", code, list)
	}
	// One subscriber once the first stream's handler has seen its client go; at least two
	// alerts written (the first handler may still write truck-2's before it notices), one of
	// them live with its lag observed.
	metric := func(name string) float64 {
		rec := httptest.NewRecorder()
		ts.Config.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		m := regexp.MustCompile(regexp.QuoteMeta(name+`{feed="alerts"} `) + `(\S+)`).FindStringSubmatch(rec.Body.String())
		if m == nil {
			return -1
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	for deadline := time.Now().Add(5 * time.Second); metric("citygeo_live_subscribers") != 1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := metric("citygeo_live_subscribers"); n != 1 {
		t.Errorf("citygeo_live_subscribers = %v, want 1", n)
	}
	if n := metric("citygeo_live_sent_total"); n < 2 {
		t.Errorf("citygeo_live_sent_total = %v, want at least 2", n)
	}
	if n := metric("citygeo_live_lag_seconds_count"); n < 1 {
		t.Errorf("citygeo_live_lag_seconds_count = %v, want at least 1", n)
	}
}
