package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
)

// TestEventsSurviveSIGKILL creates and closes events through POST /v1/events from four
// dispatchers and kills `citygeo serve` with SIGKILL at a random moment, twice: after a restart
// every acknowledged event is served with the status last acknowledged (or the one in flight at
// the kill, which may have committed unanswered). The events live beside an SQLite store (its
// .events.db file) and in a PostgreSQL store's own database (skipped without
// CITYGEO_TEST_POSTGRES).
func TestEventsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	onEachStore(t, "city.db", eventsSurviveSIGKILL)
}

// eventWrite is one event's acknowledged and in-flight status.
type eventWrite struct {
	acked, sent string // "" = nothing yet
}

// eventsSurviveSIGKILL is TestEventsSurviveSIGKILL over the store named by db.
func eventsSurviveSIGKILL(t *testing.T, db string) {
	ds := genCity(t, db, 500, 2000, 6)
	token, authFile := tokenFile(t, "dispatch", api.RoleDispatcher)
	var mu sync.Mutex
	events := map[string]*eventWrite{}
	n := 0 // writes acknowledged
	set := func(id string, f func(w *eventWrite)) {
		mu.Lock()
		defer mu.Unlock()
		if events[id] == nil {
			events[id] = &eventWrite{}
		}
		f(events[id])
	}
	for round := range 3 {
		cmd, httpAddr, _ := startServe(t, "--store", db, "--auth", authFile)
		if round == 2 { // the last start only serves, for the check
			checkEvents(t, httpAddr, token, events)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			break
		}
		killWhileWriting(cmd, 4, func(rctx context.Context, w int) {
			for i := 0; rctx.Err() == nil; i++ {
				id := fmt.Sprintf("K-%d-%d-%04d", round, w, i)
				p := ds.Grids[(i*4+w)%len(ds.Grids)].Polygon.Bound().Center()
				body := map[string]any{"id": id, "lng": p[0], "lat": p[1], "crs": "cgcs2000", "class": "0501", "kind": "event"}
				if !writeEvent(rctx, httpAddr, token, body, id, "open", set) {
					return
				}
				mu.Lock()
				n++
				mu.Unlock()
				if i%3 == 0 {
					if !writeEvent(rctx, httpAddr, token, map[string]any{"id": id, "status": "closed"}, id, "closed", set) {
						return
					}
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		}, sleep(time.Duration(300+200*round)*time.Millisecond))
		t.Logf("round %d: %d writes acknowledged so far", round, n)
	}
	if n < 20 {
		t.Fatalf("only %d writes acknowledged: the test is not exercising the store", n)
	}
}

// writeEvent posts body and records status as in flight, then as acknowledged once answered
// 200; false once the server is gone.
func writeEvent(ctx context.Context, addr, token string, body map[string]any, id, status string, set func(string, func(*eventWrite))) bool {
	set(id, func(w *eventWrite) { w.sent = status })
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/v1/events", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	set(id, func(w *eventWrite) { w.acked = status })
	return true
}

// checkEvents asks the restarted server for every event written: one acknowledged is served
// with its acknowledged status or the one in flight; one never acknowledged may be absent.
func checkEvents(t *testing.T, addr, token string, events map[string]*eventWrite) {
	t.Helper()
	for id, w := range events {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/events/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Properties map[string]any `json:"properties"`
		}
		err = json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound && w.acked == "":
			continue // created in flight at the kill, never answered
		case resp.StatusCode != http.StatusOK || err != nil:
			t.Errorf("event %s (acknowledged %q): GET answered %d, %v", id, w.acked, resp.StatusCode, err)
			continue
		}
		got := fmt.Sprint(f.Properties["status"])
		// "open" stands for a new event's status, the workflow's first stage whatever it is named
		is := func(status string) bool { return got == status || status == "open" && got != "closed" }
		if !is(w.acked) && !is(w.sent) {
			t.Errorf("event %s is served %v; acknowledged %q, in flight %q", id, got, w.acked, w.sent)
		}
	}
}
