package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// editStream is what the editors of TestEditsSurviveSIGKILL sent and had acknowledged.
type editStream struct {
	mu    sync.Mutex
	acked map[string][]string // component → names acknowledged, in order
	sent  map[string]string   // component → the name of the edit in flight (maybe committed)
	n     int                 // edits acknowledged
}

// TestEditsSurviveSIGKILL streams 500 component edits into `citygeo serve` from four editors and
// kills the server with SIGKILL twice along the way: after a restart every acknowledged edit is
// served (the component carries the last acknowledged name, or the one in flight at the kill,
// which may have committed unanswered) and in the history, and the store passes its integrity
// check and loads.
func TestEditsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	onEachStore(t, "city.db", editsSurviveSIGKILL)
}

// editsSurviveSIGKILL is TestEditsSurviveSIGKILL over the store named by db (a --store value).
func editsSurviveSIGKILL(t *testing.T, db string) {
	ctx := context.Background()
	ds := genCity(t, db, 500, 3000, 5)
	var comps []*data.Component
	for _, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok && len(comps) < 40 {
			comps = append(comps, c)
		}
	}
	token, authFile := tokenFile(t, "gis", api.RoleGIS)
	const total = 500
	es := &editStream{acked: map[string][]string{}, sent: map[string]string{}}
	rng := rand.New(rand.NewPCG(3, 4))
	next := 0 // edits started, over all rounds
	var nextMu sync.Mutex
	take := func() (int, bool) {
		nextMu.Lock()
		defer nextMu.Unlock()
		if next >= total {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for round := 0; ; round++ {
		cmd, httpAddr, _ := startServe(t, "--store", db, "--auth", authFile)
		if round == 3 || next >= total {
			// the last start only serves, for the check below
			check(t, httpAddr, es)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			break
		}
		wait := sleep(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		if round == 2 {
			wait = func(done <-chan struct{}) { <-done } // the rest of the stream, to its end
		}
		killWhileWriting(cmd, 4, func(rctx context.Context, w int) {
			for rctx.Err() == nil {
				i, ok := take()
				if !ok {
					return
				}
				c := comps[(i*4+w)%len(comps)/4*4+w%4] // each editor keeps to its own components
				name := fmt.Sprintf("edit-%03d", i)
				es.mu.Lock()
				es.sent[c.ID] = name
				es.mu.Unlock()
				if !putName(rctx, httpAddr, token, c, name) {
					return
				}
				es.mu.Lock()
				es.acked[c.ID] = append(es.acked[c.ID], name)
				es.n++
				es.mu.Unlock()
			}
		}, wait)
		t.Logf("round %d: %d edits acknowledged so far, %d started", round, es.n, next)
	}
	if es.n < total/2 {
		t.Errorf("only %d of %d edits acknowledged", es.n, total)
	}
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changes, ok := st.(data.ChangeStore)
	if !ok {
		t.Fatalf("%T keeps no change log", st)
	}
	if lite, ok := st.(*sqlite.Store); ok {
		var ok string
		if err := lite.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check = %q, %v", ok, err)
		}
	}
	for id, names := range es.acked {
		h, err := changes.History(ctx, data.LayerComponent, id)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, c := range h {
			if len(c.After.Components) == 1 {
				have[c.After.Components[0].Name] = true
			}
		}
		for _, n := range names {
			if !have[n] {
				t.Errorf("component %s: acknowledged edit %s is not in its history", id, n)
			}
		}
	}
}

// putName renames component c through PUT /v1/components/{id}; false once the server is gone.
func putName(ctx context.Context, addr, token string, c *data.Component, name string) bool {
	f := geojson.NewFeature(c.Geometry)
	f.Properties["OBJID"], f.Properties["OBJNAME"], f.Properties["BGID"] = c.ID, name, c.Grid
	f.Properties["OBJSTATE"], f.Properties["DEPTCODE1"], f.Properties["DEPTNAME1"] = c.Status.String(), c.Owner.Code(), c.Owner.Name()
	body, _ := json.Marshal(f)
	req, _ := http.NewRequestWithContext(ctx, "PUT", "http://"+addr+"/v1/components/"+c.ID+"?crs=cgcs2000&reason=kill+test", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("If-Match", "*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// check asks the restarted server for every edited component: its name is the last one
// acknowledged, or the one in flight when the server was killed.
func check(t *testing.T, addr string, es *editStream) {
	t.Helper()
	for id, names := range es.acked {
		resp, err := http.Get("http://" + addr + "/v1/components/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Properties map[string]any `json:"properties"`
		}
		err = json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := f.Properties["name"]
		if got != names[len(names)-1] && got != es.sent[id] {
			t.Errorf("component %s is served named %v; last acknowledged %s, in flight %s", id, got, names[len(names)-1], es.sent[id])
		}
	}
}
