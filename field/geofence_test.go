package field_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/field"
	"citygeo/geo"
)

// square returns a polygon of side metres whose south-west corner is at (e, n) metres from
// the test plane's origin.
func square(pl geo.Plane, e, n, side float64) orb.Polygon {
	c := func(x, y float64) orb.Point { return pl.FromMetres(orb.Point{x, y}) }
	return orb.Polygon{{c(e, n), c(e+side, n), c(e+side, n+side), c(e, n+side), c(e, n)}}
}

func TestFences(t *testing.T) {
	pl := geo.LocalPlane(orb.Point{114.12, 22.55})
	at := func(e, n float64) orb.Point { return pl.FromMetres(orb.Point{e, n}) }
	reg, _ := field.NewRegistry([]data.Device{
		{ID: "truck", Kind: data.DeviceVehicle, Name: "粤B00001", Role: "muck"},
		{ID: "p", Kind: data.DevicePerson, Name: "张三", Role: "patroller"},
	})
	fs, err := field.NewFences(field.FenceOptions{Fences: []field.Fence{
		{ID: "school", Name: "学校周边禁入区", Kind: field.FenceForbidden, Area: square(pl, 1000, 0, 200), Roles: []string{"muck"}},
		{ID: "zone-p", Name: "东门责任区", Kind: field.FenceAssigned, Area: square(pl, -500, -500, 1000), Devices: []string{"p"}, From: 8 * 60, To: 18 * 60},
	}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	alerts, stop := fs.Subscribe()
	defer stop()
	fix := func(dev string, when string, e, n float64) data.Fix { // when: "15:04" on the 20th, or "2006-01-02 15:04"
		if len(when) == 5 {
			when = "2026-11-20 " + when
		}
		tm, _ := time.ParseInLocation("2006-01-02 15:04", when, field.CST)
		return data.Fix{Device: dev, Time: tm, Point: at(e, n)}
	}
	for _, tc := range []struct {
		name  string
		fixes []data.Fix
		want  []field.AlertKind
	}{
		{"truck outside the school zone", []data.Fix{fix("truck", "09:00", 900, 100)}, nil},
		{"truck enters", []data.Fix{fix("truck", "09:01", 1100, 100)}, []field.AlertKind{field.AlertEnteredForbidden}},
		{"truck stays inside: no repeat", []data.Fix{fix("truck", "09:02", 1150, 100)}, nil},
		{"out and in again", []data.Fix{fix("truck", "09:03", 1300, 100), fix("truck", "09:04", 1100, 50)}, []field.AlertKind{field.AlertEnteredForbidden}},
		{"a blind-area re-send inside raises nothing", []data.Fix{fix("truck", "08:30", 1100, 100)}, nil},
		{"a patroller in the school zone is no muck truck", []data.Fix{fix("p", "09:00", 0, 0), fix("p", "09:05", 1100, 100)}, []field.AlertKind{field.AlertLeftZone}},
		{"back in the zone, then out after the shift", []data.Fix{fix("p", "10:00", 0, 0), fix("p", "19:00", 900, 0)}, nil},
		{"still outside when the next shift starts", []data.Fix{fix("p", "2026-11-21 08:00", 900, 0)}, []field.AlertKind{field.AlertLeftZone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs.Check(tc.fixes)
			var got []field.AlertKind
			for len(alerts) > 0 {
				got = append(got, (<-alerts).Kind)
			}
			if strings.Join(kinds(got), ",") != strings.Join(kinds(tc.want), ",") {
				t.Errorf("alerts %v, want %v", got, tc.want)
			}
		})
	}
	if all := fs.Since(0); len(all) != 4 || all[0].Seq != 1 || all[0].Name != "粤B00001" || all[0].Fence != "school" {
		t.Errorf("Since(0) = %+v", all)
	}
	if tail := fs.Since(2); len(tail) != 2 || tail[0].Seq != 3 || tail[1].Kind != field.AlertLeftZone {
		t.Errorf("Since(2) = %+v", tail)
	}
}

func kinds(ks []field.AlertKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestStationary(t *testing.T) {
	fs, err := field.NewFences(field.FenceOptions{StillFor: 10 * time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pl := geo.LocalPlane(orb.Point{114.12, 22.55})
	var fixes []data.Fix
	t0 := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for i := range 90 { // 15 min standing (jitter of 10 m), then walking off, then 15 min again
		e := float64(i%3) * 5
		if i >= 45 {
			e += 500
		}
		fixes = append(fixes, data.Fix{Device: "p", Time: t0.Add(time.Duration(i) * 20 * time.Second), Point: pl.FromMetres(orb.Point{e, 0})})
	}
	fs.Check(fixes)
	got := fs.Since(0)
	if len(got) != 2 || got[0].Kind != field.AlertStationary || got[1].Kind != field.AlertStationary ||
		!got[0].Time.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("alerts = %+v; want two, the first at 10 minutes", got)
	}
}

func TestParseFences(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
	  {"type":"Feature","properties":{"id":"z1","name":"东门责任区","kind":"assigned","devices":["p"],"hours":"08:00-18:30"},
	   "geometry":{"type":"Polygon","coordinates":[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]}},
	  {"type":"Feature","properties":{"id":"f1","kind":"forbidden","roles":["muck"]},
	   "geometry":{"type":"MultiPolygon","coordinates":[[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]]}}]}`
	fences, err := field.ParseFences(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(fences) != 2 || fences[0].From != 480 || fences[0].To != 1110 || fences[1].Name != "f1" || fences[1].Roles[0] != "muck" {
		t.Errorf("fences = %+v", fences)
	}
	if _, err := field.NewFences(field.FenceOptions{Fences: fences}, nil); err != nil {
		t.Error(err)
	}
	bad := []field.Fence{{ID: "x", Kind: "purple", Area: orb.Polygon{}}}
	if _, err := field.NewFences(field.FenceOptions{Fences: bad}, nil); err == nil {
		t.Error("a fence of an unknown kind was accepted")
	}
	for _, hours := range []string{"08:75-18:00", "08:00-18:00 and later", "8:00-18:00", "08:00", "-1:00-02:00", "08:00-25:00"} {
		in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"z","kind":"assigned","hours":"` + hours +
			`"},"geometry":{"type":"Polygon","coordinates":[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]}}]}`
		if fs, err := field.ParseFences(strings.NewReader(in)); err == nil {
			t.Errorf("hours %q read as %d-%d minutes, want an error", hours, fs[0].From, fs[0].To)
		}
	}
}

// FuzzParseFences: a fence file either is refused or gives fences whose hours are times of day.
func FuzzParseFences(f *testing.F) {
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"z1","kind":"assigned","devices":["p"],"hours":"22:00-06:00"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":1,"roles":"x"},"geometry":null}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		fences, err := field.ParseFences(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, fc := range fences {
			if fc.From < 0 || fc.From > 24*60 || fc.To < 0 || fc.To > 24*60 {
				t.Fatalf("fence %q hours %d-%d", fc.ID, fc.From, fc.To)
			}
		}
		_, _ = field.NewFences(field.FenceOptions{Fences: fences}, nil) // must not panic on what parsed
	})
}

// TestFencesWatchAForce: attached to a force, the watcher sees each stored group before it is
// acknowledged, so the alert is out when Ingest returns.
func TestFencesWatchAForce(t *testing.T) {
	pl := geo.LocalPlane(orb.Point{114.12, 22.55})
	fs, _ := field.NewFences(field.FenceOptions{Fences: []field.Fence{{ID: "f", Kind: field.FenceForbidden, Area: square(pl, 0, 0, 100)}}}, nil)
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	f := open(t, &field.MemTracks{}, field.Options{Now: func() time.Time { return now }})
	fs.Watch(f)
	ch, stop := fs.Subscribe()
	defer stop()
	if _, err := f.Ingest(context.Background(), []data.Fix{{Device: "x", Time: now, Point: pl.FromMetres(orb.Point{50, 50})}}); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-ch:
		if a.Kind != field.AlertEnteredForbidden || a.Device != "x" {
			t.Errorf("alert %+v", a)
		}
	default:
		t.Error("no alert when Ingest returned")
	}
}
