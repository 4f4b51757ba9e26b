package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/postgis/pgtest"
	"citygeo/dispatch"
)

// sampleDispatch is the sample city with its duty rules, for a server from serveDispatch.
func sampleDispatch(t testing.TB) (*data.Dataset, []*data.DutyRule) {
	t.Helper()
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	return ds, rules
}

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	id, name string
	data     map[string]any
}

// sseClient reads an events stream in a goroutine, so a test can wait for the next event with a
// timeout instead of hanging.
type sseClient struct {
	events chan sseEvent
	stop   func()
}

func openStream(t *testing.T, url, tok string, hdr ...string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("stream %s: %v %v", url, resp, err)
	}
	c := &sseClient{events: make(chan sseEvent, 100), stop: func() { cancel(); resp.Body.Close() }}
	go func() {
		defer close(c.events)
		r := bufio.NewReader(resp.Body)
		var ev sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[6:]), &ev.data); err != nil {
					ev.data = map[string]any{"unreadable": line}
				}
			case line == "" && ev.name != "":
				c.events <- ev
				ev = sseEvent{}
			case line == "":
				ev = sseEvent{} // a comment block (ping, retry)
			}
		}
	}()
	t.Cleanup(c.stop)
	return c
}

// next waits for the next event; a stream that says nothing for 10 s fails the test.
func (c *sseClient) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return sseEvent{}
}

// quiet checks that no event comes within d.
func (c *sseClient) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-c.events:
		t.Errorf("unexpected event %s %s %v", ev.id, ev.name, ev.data["id"])
	case <-time.After(d):
	}
}

func eventID(ev sseEvent) string { id, _ := ev.data["id"].(string); return id }

// props are the properties of the event an sseEvent carries.
func props(ev sseEvent) map[string]any { p, _ := ev.data["properties"].(map[string]any); return p }

// TestEventStreamResume: a client that drops its connection and reconnects with Last-Event-ID
// gets every change it missed, in change order, each event once and as it is now, and then the
// live changes; one that reconnects with the last id gets nothing again; one whose resume point
// the server does not know gets a reset first.
func TestEventStreamResume(t *testing.T) {
	ds, rules := sampleDispatch(t)
	srv, tok, _ := serveDispatch(t, ds, rules, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close) // after the streams' cleanups: Close waits for open connections
	p := interior(gridByCode(ds, "440303003020002"))
	post := func(body map[string]any) {
		t.Helper()
		if code, resp := doAuth(t, srv.Handler(), "POST", "/v1/events", body, tok); code != 200 {
			t.Fatalf("post %v: %d %v", body, code, resp)
		}
	}
	create := func(id string) map[string]any {
		return map[string]any{"id": id, "lng": p[0], "lat": p[1], "class": "0501", "kind": "event", "source": "监督员上报"}
	}
	stream := ts.URL + "/v1/events/stream"

	c := openStream(t, stream, tok)
	post(create("E1"))
	first := c.next(t)
	if first.name != "event" || eventID(first) != "E1" || props(first)["status"] != "open" {
		t.Fatalf("first event %+v", first)
	}
	if cl, _ := props(first)["class"].(map[string]any); cl["code"] != "0501" || cl["name"] == "" {
		t.Errorf("class %v: want code and name", cl)
	}
	if _, ok := props(first)["history"]; ok {
		t.Errorf("the stream's event carries its history: %v", props(first))
	}
	c.stop()

	// While disconnected: two new events and E1 closed, and E2 updated after that.
	post(create("E2"))
	post(map[string]any{"id": "E1", "status": "closed"})
	post(create("E3"))
	upd := create("E2")
	upd["description"] = "复核"
	post(upd)

	c = openStream(t, stream, tok, "Last-Event-ID", first.id)
	var got []string
	last, _ := strconv.ParseInt(first.id, 10, 64)
	for range 3 {
		ev := c.next(t)
		n, err := strconv.ParseInt(ev.id, 10, 64)
		if err != nil || n <= last {
			t.Errorf("event id %q after %d: want increasing numbers", ev.id, last)
		}
		last = n
		got = append(got, eventID(ev)+":"+props(ev)["status"].(string))
		if eventID(ev) == "E2" && props(ev)["description"] != "复核" {
			t.Errorf("E2 replayed as %v, want as it is now", ev.data)
		}
	}
	if strings.Join(got, " ") != "E1:closed E3:open E2:open" {
		t.Errorf("replayed %v, want E1 closed, E3, E2 updated (change order, each once)", got)
	}
	c.quiet(t, 200*time.Millisecond)
	post(create("E4"))
	if ev := c.next(t); eventID(ev) != "E4" {
		t.Errorf("live after the replay: %v", ev.data)
	}
	c.stop()

	// Resuming from the last id replays nothing; ?after= does as Last-Event-ID.
	head := strconv.FormatInt(last+1, 10)
	c = openStream(t, stream+"?after="+head, tok)
	c.quiet(t, 200*time.Millisecond)
	post(create("E5"))
	if ev := c.next(t); eventID(ev) != "E5" {
		t.Errorf("after the head: %v", ev.data)
	}
	c.stop()

	// A number this server never gave (another server's, before a restart): reset, then live.
	c = openStream(t, stream, tok, "Last-Event-ID", "999999")
	if ev := c.next(t); ev.name != "reset" {
		t.Fatalf("unknown resume point: %s %v, want reset", ev.name, ev.data)
	}
	post(create("E6"))
	if ev := c.next(t); eventID(ev) != "E6" {
		t.Errorf("after the reset: %v", ev.data)
	}
}

// TestEventStreamReplica: a replica's stream shows the events another replica writes to the
// shared PostgreSQL event store, numbered by the store, so a client may resume on either.
func TestEventStreamReplica(t *testing.T) {
	url := pgtest.Schema(t)
	ds, rules := sampleDispatch(t)
	open := func() data.EventStore {
		st, err := postgis.OpenEvents(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	writer, wtok, _ := serveDispatch(t, ds, rules, open())
	reader, rtok, rfeed := serveDispatch(t, ds, rules, open())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go rfeed.Follow(ctx, 100*time.Millisecond, nil)
	ts := httptest.NewServer(reader.Handler())
	t.Cleanup(ts.Close)

	c := openStream(t, ts.URL+"/v1/events/stream?after=0", rtok)
	p := interior(gridByCode(ds, "440303003020002"))
	for _, id := range []string{"R1", "R2"} {
		body := map[string]any{"id": id, "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}
		if code, resp := doAuth(t, writer.Handler(), "POST", "/v1/events", body, wtok); code != 200 {
			t.Fatalf("post on the writer: %d %v", code, resp)
		}
	}
	a, b := c.next(t), c.next(t)
	if eventID(a) != "R1" || eventID(b) != "R2" {
		t.Fatalf("replica streamed %v then %v", a.data, b.data)
	}
	// The id is the store's change number: the writer's own record of the event agrees.
	code, body := doAuth(t, writer.Handler(), "GET", "/v1/events/R2", nil, wtok)
	if code != 200 || strconv.FormatFloat(body["properties"].(map[string]any)["seq"].(float64), 'f', -1, 64) != b.id {
		t.Errorf("R2 on the writer: %d %v; stream id %s", code, body, b.id)
	}
}

// TestEventStreamLatency: an event posted reaches a subscriber (the time it took is logged;
// the ≤ 2 s figure of the wall is measured by BenchmarkEventStreamLatency, not asserted here).
func TestEventStreamLatency(t *testing.T) {
	ds, rules := sampleDispatch(t)
	srv, tok, _ := serveDispatch(t, ds, rules, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close) // after the streams' cleanups: Close waits for open connections
	c := openStream(t, ts.URL+"/v1/events/stream", tok)
	p := interior(gridByCode(ds, "440303003020002"))
	sent := time.Now()
	if code, resp := doAuth(t, srv.Handler(), "POST", "/v1/events", map[string]any{"id": "L1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}, tok); code != 200 {
		t.Fatalf("post: %d %v", code, resp)
	}
	if ev := c.next(t); eventID(ev) != "L1" {
		t.Fatalf("got %v", ev.data)
	}
	t.Logf("posted → streamed in %v", time.Since(sent))
}

// BenchmarkEventStreamLatency measures what issue 12 asks of the wall's feed (≤ 2 s): the time
// from posting an event through the API over HTTP to its arrival at a subscriber of the
// events stream, reported as p50 and p99 beside the mean.
func BenchmarkEventStreamLatency(b *testing.B) {
	ds, rules := sampleDispatch(b)
	srv, tok, _ := serveDispatch(b, ds, rules, nil)
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); resp.Body.Close() })
	arrived := make(chan string, 16)
	go func() {
		r := bufio.NewReader(resp.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(line, "data: ") {
				var f struct{ ID string }
				_ = json.Unmarshal([]byte(line[6:]), &f)
				arrived <- f.ID
			}
		}
	}()
	p := interior(gridByCode(ds, "440303003020002"))
	var took []time.Duration
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("B%d", i)
		i++
		body, _ := json.Marshal(map[string]any{"id": id, "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"})
		post, _ := http.NewRequest("POST", ts.URL+"/v1/events", bytes.NewReader(body))
		post.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		pr, err := http.DefaultClient.Do(post)
		if err != nil || pr.StatusCode != 200 {
			b.Fatalf("post: %v %v", pr, err)
		}
		pr.Body.Close()
		for got := <-arrived; got != id; got = <-arrived {
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// TestEventStreamOutlivesWriteTimeout: the server's write timeout (60 s by default) bounds a
// response, but the events stream is open for hours: each write moves its own deadline on.
func TestEventStreamOutlivesWriteTimeout(t *testing.T) {
	ds, rules := sampleDispatch(t)
	srv, tok, _ := serveDispatch(t, ds, rules, nil)
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.WriteTimeout = 300 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	c := openStream(t, ts.URL+"/v1/events/stream", tok)
	time.Sleep(time.Second)
	p := interior(gridByCode(ds, "440303003020002"))
	if code, resp := doAuth(t, srv.Handler(), "POST", "/v1/events", map[string]any{"id": "W1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}, tok); code != 200 {
		t.Fatalf("post: %d %v", code, resp)
	}
	if ev := c.next(t); eventID(ev) != "W1" {
		t.Fatalf("got %v", ev.data)
	}
}
