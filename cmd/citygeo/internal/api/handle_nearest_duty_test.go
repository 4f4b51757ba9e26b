package api_test

import (
	"context"
	"fmt"
	"time"

	"testing"

	"github.com/paulmach/orb"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/field"
)

// TestNearestOnDutyFollowsTheDutyLists: with duty lists loaded, on_duty=true keeps exactly the
// patrollers the lists put on duty at the case's place and time — the grid's 监督员 but not a
// nearer 监督员 of another grid — and without lists it is a 400 naming on_duty.
func TestNearestOnDutyFollowsTheDutyLists(t *testing.T) {
	plain, ds := newSampleServer(t)
	snap := plain.Current()
	board := duty.NewBoard(duty.NewRoster(sample.Roster(ds, sample.RosterOptions{})), duty.Options{})
	ix := board.Index(snap.DutyCity())
	// The case is at the centre of the first grid with a 监督员 by day; another grid's 监督员
	// stands closer to it than the responsible one.
	var caseAt, there, elsewhere = [2]float64{}, "", ""
	for _, g := range ds.Grids {
		c := g.Polygon.Bound().Center()
		for _, od := range ix.OnDuty(duty.Query{Point: c, At: fieldNow, Post: data.PostSupervisor}, nil) {
			switch {
			case od.Person == nil:
			case there == "":
				caseAt, there = [2]float64{c[0], c[1]}, od.Person.ID
			case od.Person.ID != there && elsewhere == "":
				elsewhere = od.Person.ID
			}
		}
		if there != "" && elsewhere != "" {
			break
		}
	}
	if there == "" || elsewhere == "" {
		t.Fatal("the sample roster has no two 监督员 on duty at 10:00")
	}
	reg, err := field.NewRegistry([]data.Device{
		{ID: "h-there", Kind: data.DevicePerson, Role: "supervisor", Subject: there},
		{ID: "h-elsewhere", Kind: data.DevicePerson, Role: "supervisor", Subject: elsewhere},
	})
	if err != nil {
		t.Fatal(err)
	}
	force, err := field.Open(context.Background(), &field.MemTracks{}, field.Options{Devices: reg, Now: func() time.Time { return fieldNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer force.Close()
	if _, err := force.Ingest(context.Background(), []data.Fix{
		{Device: "h-there", Time: fieldNow, Point: orb.Point{caseAt[0] + 0.002, caseAt[1]}},
		{Device: "h-elsewhere", Time: fieldNow, Point: orb.Point{caseAt[0] + 0.0005, caseAt[1]}},
	}); err != nil {
		t.Fatal(err)
	}
	tok, hash, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "desk", Role: api.RoleDispatcher, SHA256: hash}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		duty   *api.Duty
		onDuty string
		status int
		want   []string
	}{
		{"every patroller, nearest first", &api.Duty{Board: board}, "false", 200, []string{"h-elsewhere", "h-there"}},
		{"only the one on duty there", &api.Duty{Board: board}, "true", 200, []string{"h-there"}},
		{"no duty lists on the server", nil, "true", 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := api.New(api.Options{Auth: auth, Logger: quietLog, Field: force, Duty: tc.duty})
			srv.Swap(snap)
			url := fmt.Sprintf("/v1/patrollers/nearest?lng=%.7f&lat=%.7f&k=5&crs=cgcs2000&on_duty=%s", caseAt[0], caseAt[1], tc.onDuty)
			status, body := do(t, srv.Handler(), "GET", url, nil, "Authorization", "Bearer "+tok)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			if tc.status != 200 {
				if e, _ := body["error"].(map[string]any); e["field"] != "on_duty" {
					t.Errorf("error %v, want one naming on_duty", body)
				}
				return
			}
			var got []string
			for _, p := range body["patrollers"].([]any) {
				got = append(got, p.(map[string]any)["device"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("patrollers %v, want %v", got, tc.want)
			}
		})
	}
}
