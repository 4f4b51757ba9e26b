package api_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/dispatch"

	"github.com/paulmach/orb"
)

// outcomeServer serves a generated city from a store with the sample rules, a memory events
// feed and the case-outcome switch as given; it returns the handler, a dispatcher token, a
// point component and the store.
func outcomeServer(t *testing.T, outcomes bool) (http.Handler, string, *data.Component, *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Save(ctx, ds, "test"); err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	dispatch.FillDepartmentCodes(rules, ds.Departments)
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tok, hash, _ := api.NewToken()
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "desk", Role: api.RoleDispatcher, SHA256: hash}}})
	if err != nil {
		t.Fatal(err)
	}
	served := city.New(st, city.Options{}, quietLog)
	if err := served.Load(ctx); err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, City: served, Dispatch: &api.Dispatch{Rules: set, Feed: feed}, CaseOutcomes: outcomes})
	for _, c := range served.Current().Dataset.Components {
		if _, ok := c.Geometry.(orb.Point); ok && c.Status == data.StatusIntact {
			return srv.Handler(), tok, c, st
		}
	}
	t.Fatal("no intact point component")
	return nil, "", nil, nil
}

// TestCaseOutcome: closing an event bound to a component with 部件丢失 marks the component lost,
// recorded in its history with the case id; an unknown outcome is refused before anything is
// filed; with the switch off the component keeps its status.
func TestCaseOutcome(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("outcomes=", on), func(t *testing.T) {
			h, tok, comp, st := outcomeServer(t, on)
			p := comp.Geometry.(orb.Point)
			ev := map[string]any{"id": "E9", "lng": p[0], "lat": p[1], "crs": "cgcs2000", "class": comp.Class(), "kind": "component", "component": comp.ID}
			if code, body := doAuth(t, h, "POST", "/v1/events", ev, tok); code != 200 || body["component"] == nil {
				t.Fatalf("report: %d %v", code, body)
			}
			if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E9", "status": "closed", "outcome": "部件不见了"}, tok); code != 400 {
				t.Errorf("unknown outcome: %d %v", code, body)
			}
			if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E9", "outcome": "部件丢失"}, tok); code != 400 {
				t.Errorf("outcome on an open event: %d %v", code, body)
			}
			if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E9", "status": "closed", "outcome": "部件丢失"}, tok); code != 200 {
				t.Fatalf("close: %d %v", code, body)
			}
			_, got := do(t, h, "GET", "/v1/components/"+comp.ID, nil)
			status := got["properties"].(map[string]any)["status"]
			hist, err := st.History(context.Background(), data.LayerComponent, comp.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !on {
				if status != comp.Status.String() || len(hist) != 0 {
					t.Errorf("switch off: status %v, %d changes", status, len(hist))
				}
				return
			}
			if status != data.StatusLost.String() {
				t.Errorf("status after 部件丢失 = %v", status)
			}
			if len(hist) != 1 || hist[0].Case != "E9" || hist[0].Who != "desk" || hist[0].Fields[0].New != data.StatusLost.String() {
				t.Errorf("history = %+v", hist)
			}
		})
	}
}
