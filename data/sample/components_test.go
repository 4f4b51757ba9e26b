package sample_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"citygeo/data"
	"citygeo/data/sample"
)

func geomPoints(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.LineString:
		return g
	case orb.Polygon:
		return g[0]
	}
	return nil
}

func TestComponents(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   sample.Options
		idLen  int
		lamp   string
		manhol string
	}{
		{"CJ/T 214", sample.Options{Grids: 1500}, 16, "0118", "0101"},
		{"GB/T 47678.5", sample.Options{Grids: 1500, Scheme: data.GBT4767}, 17, "01037", "01001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := generate(t, tc.opts)
			grids := map[string]*data.Grid{}
			for _, g := range ds.Grids {
				grids[g.Code] = g
			}
			depts := map[data.DeptRef]bool{}
			for _, d := range ds.Departments {
				if len(d.Code) != 18 {
					t.Errorf("department %s: code %q is not 18 characters", d.Name, d.Code)
				}
				depts[data.DeptRef{Code: d.Code, Name: d.Name}] = true
			}
			ids := map[string]bool{}
			classes := map[string]int{}
			statuses := map[data.Status]int{}
			for _, c := range ds.Components {
				cc, err := data.ParseComponentID(c.ID)
				if err != nil {
					t.Fatalf("component %s: %v", c.ID, err)
				}
				if len(c.ID) != tc.idLen || cc.District != "440303" || cc.Major != c.Major || cc.Minor != c.Minor || c.Scheme == 0 || cc.Scheme != c.Scheme {
					t.Fatalf("component %s: parsed %+v, record major %s minor %s scheme %s", c.ID, cc, c.Major, c.Minor, c.Scheme)
				}
				if ids[c.ID] {
					t.Fatalf("component id %s used twice", c.ID)
				}
				ids[c.ID] = true
				classes[c.Class()]++
				statuses[c.Status]++
				g := grids[c.Grid]
				if g == nil {
					t.Fatalf("component %s: grid %q does not exist", c.ID, c.Grid)
				}
				for _, p := range geomPoints(c.Geometry) {
					if !planar.PolygonContains(g.Polygon, p) {
						t.Fatalf("component %s (%s) at %v is not inside its grid %s", c.ID, c.Name, p, c.Grid)
					}
				}
				for _, d := range []data.DeptRef{c.Owner.Ref(), c.Property.Ref(), c.Maintainer.Ref()} {
					if !depts[d] {
						t.Fatalf("component %s: department %+v not in Departments", c.ID, d)
					}
				}
				if c.InitDate.IsZero() || (!c.ChangeDate.IsZero() && !c.ChangeDate.After(c.InitDate)) || c.Source != "实测" || c.Name == "" {
					t.Fatalf("component %s: init %v change %v source %q name %q", c.ID, c.InitDate, c.ChangeDate, c.Source, c.Name)
				}
			}
			if classes[tc.lamp] == 0 || classes[tc.manhol] == 0 {
				t.Errorf("classes %v lack lamps %s or manholes %s", classes, tc.lamp, tc.manhol)
			}
			if statuses[data.StatusIntact] < len(ds.Components)*8/10 || statuses[data.StatusDamaged] == 0 {
				t.Errorf("statuses %v: want mostly 完好 and some 破损", statuses)
			}
		})
	}
}

func TestComponentNames(t *testing.T) {
	ds := generate(t, sample.Options{Grids: 600})
	roads := map[string]bool{}
	for _, r := range ds.Roads {
		if roads[r.Name] {
			t.Errorf("road name %s used twice", r.Name)
		}
		roads[r.Name] = true
	}
	for _, name := range []string{"深南东路", "人民南路"} {
		if !roads[name] {
			t.Errorf("no road %s", name)
		}
	}
	for _, c := range ds.Components {
		if c.Class() != "0118" {
			continue
		}
		road, _, ok := strings.Cut(c.Name, "路灯")
		if !ok || !roads[road] {
			t.Fatalf("lamp %s named %q: want <road>路灯<n>", c.ID, c.Name)
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sample.Options
		want string
	}{
		{"too few grids", sample.Options{Grids: 10}, "Grids 10"},
		{"too many grids", sample.Options{Grids: 200000}, "Grids 200000"},
		{"negative components", sample.Options{Components: -1}, "Components -1"},
		{"negative addresses", sample.Options{Addresses: -5}, "Addresses -5"},
		{"unknown scheme", sample.Options{Scheme: data.GBT4767 + 1}, "Scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sample.Generate(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
	if _, err := sample.Generate(sample.Options{Grids: 600, Components: 5_000_000}); err == nil || !strings.Contains(err.Error(), "999999") {
		t.Errorf("5M components on 600 grids: err = %v, want the per-class sequence limit", err)
	} else if errors.Is(err, data.ErrCode) {
		t.Errorf("limit error should not be a code error")
	}
	// The largest city still fits the 3-digit grid sequence in every community.
	if !testing.Short() {
		if _, err := sample.Generate(sample.Options{Grids: sample.MaxGrids, Components: 1000, Addresses: 100}); err != nil {
			t.Errorf("Grids = MaxGrids: %v", err)
		}
	}
}
