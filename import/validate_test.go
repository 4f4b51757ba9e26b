package importer_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	importer "citygeo/import"

	"github.com/paulmach/orb"
)

func smallCity(t testing.TB) *data.Dataset {
	t.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func validate(ds *data.Dataset) []importer.Finding {
	var out []importer.Finding
	importer.Validate(ds, importer.ValidateOptions{}, func(f importer.Finding) { out = append(out, f) })
	return out
}

func TestValidateCleanSample(t *testing.T) {
	for _, f := range validate(smallCity(t)) {
		if f.Severity == importer.SeverityError {
			t.Errorf("clean sample: %+v", f)
		}
	}
}

// firstPointComponent returns the index of a component mapped as a point, in a grid.
func pointComponent(ds *data.Dataset, skip int) int {
	for i, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok && c.Grid != "" {
			if skip == 0 {
				return i
			}
			skip--
		}
	}
	return -1
}

func communityIndex(ds *data.Dataset, skip int) int {
	for i, a := range ds.Areas {
		if a.Level == data.Community {
			if skip == 0 {
				return i
			}
			skip--
		}
	}
	return -1
}

// TestValidateMutations seeds one kind of defect at a time into a clean dataset and asserts
// that the check meant to catch it reports it, naming the right feature.
func TestValidateMutations(t *testing.T) {
	type mutation struct {
		check  string
		mutate func(ds *data.Dataset) string // returns the source id the finding must name
	}
	muts := []mutation{
		{"area.code", func(ds *data.Dataset) string {
			a := ds.Areas[communityIndex(ds, 0)]
			a.Code = a.Code[:11] + "X"
			return a.Code
		}},
		{"area.level", func(ds *data.Dataset) string {
			a := ds.Areas[communityIndex(ds, 1)]
			a.Level = data.Street
			return a.Code
		}},
		{"area.parent", func(ds *data.Dataset) string {
			a := ds.Areas[communityIndex(ds, 2)]
			a.Parent = "440303999"
			return a.Code
		}},
		{"area.duplicate", func(ds *data.Dataset) string {
			a := *ds.Areas[communityIndex(ds, 3)]
			ds.Areas = append(ds.Areas, &a)
			return a.Code
		}},
		{"geometry.invalid", func(ds *data.Dataset) string { // bow-tie grid
			g := ds.Grids[5]
			r := g.Polygon[0]
			r[1], r[2] = r[2], r[1]
			return g.Code
		}},
		{"geometry.invalid", func(ds *data.Dataset) string { // unclosed ring
			g := ds.Grids[6]
			g.Polygon[0] = g.Polygon[0][:len(g.Polygon[0])-1]
			return g.Code
		}},
		{"grid.code", func(ds *data.Dataset) string {
			g := ds.Grids[7]
			g.Code = g.Code[:12] + "000"
			return g.Code
		}},
		{"grid.community_prefix", func(ds *data.Dataset) string {
			g := ds.Grids[8]
			g.Community = ds.Grids[len(ds.Grids)-1].Community
			if g.Community == g.Code[:12] {
				g.Community = ds.Areas[communityIndex(ds, 0)].Code
			}
			return g.Code
		}},
		{"grid.community_missing", func(ds *data.Dataset) string {
			g := ds.Grids[9]
			g.Code = g.Code[:9] + "987" + g.Code[12:]
			g.Community = g.Code[:12]
			return g.Code
		}},
		{"grid.duplicate", func(ds *data.Dataset) string {
			g := *ds.Grids[10]
			ds.Grids = append(ds.Grids, &g)
			return g.Code
		}},
		{"grid.outside_community", func(ds *data.Dataset) string {
			g := ds.Grids[11]
			g.Polygon = orb.Polygon{shift(g.Polygon[0], 0.05)}
			return g.Code
		}},
		{"grid.overlap", func(ds *data.Dataset) string {
			g, h := ds.Grids[12], ds.Grids[13]
			b := h.Polygon.Bound()
			// Move grid 12 halfway onto grid 13 (same community, so no outside finding needed).
			c := b.Center()
			g.Polygon = orb.Polygon{orb.Ring{{c[0], b.Min[1]}, {b.Max[0] + (b.Max[0]-b.Min[0])/2, b.Min[1]}, {b.Max[0] + (b.Max[0]-b.Min[0])/2, b.Max[1]}, {c[0], b.Max[1]}, {c[0], b.Min[1]}}}
			return ""
		}},
		{"grid.gap", func(ds *data.Dataset) string {
			g := ds.Grids[20]
			ds.Grids = append(ds.Grids[:20], ds.Grids[21:]...)
			return g.Community
		}},
		{"grid.area", func(ds *data.Dataset) string {
			g := ds.Grids[30]
			g.AreaM2 *= 3
			return g.Code
		}},
		{"component.id", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 0)]
			c.ID = c.ID[:15]
			return c.ID
		}},
		{"component.class", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 1)]
			c.ID = c.ID[:6] + "0199" + c.ID[10:]
			return c.ID
		}},
		{"component.admin", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 2)]
			c.ID = "110101" + c.ID[6:]
			return c.ID
		}},
		{"component.duplicate", func(ds *data.Dataset) string {
			c := *ds.Components[pointComponent(ds, 3)]
			ds.Components = append(ds.Components, &c)
			return c.ID
		}},
		{"component.geometry_type", func(ds *data.Dataset) string {
			for _, c := range ds.Components {
				if strings.HasPrefix(c.Class(), "010") { // 井盖
					g := ds.Grids[0].Polygon
					c.Geometry = g
					c.Grid = ds.Grids[0].Code
					return c.ID
				}
			}
			return "no manhole cover"
		}},
		{"component.grid_missing", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 4)]
			c.Grid = c.Grid[:12] + "998"
			return c.ID
		}},
		{"component.outside_grid", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 5)]
			c.Geometry = shiftPt(c.Geometry.(orb.Point), 0.01)
			return c.ID
		}},
		{"component.status_empty", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 6)]
			c.Status = 0
			return c.ID
		}},
		{"component.dates", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 7)]
			c.InitDate = data.MakeDate(2020, time.January, 1)
			c.ChangeDate = data.MakeDate(2019, time.January, 1)
			return c.ID
		}},
		{"component.dept", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 8)]
			if len(ds.Departments) == 0 {
				ds.Departments = []*data.Department{{Code: "D1", Name: "x"}}
			}
			c.Owner = c.Owner.WithCode("NO-SUCH-DEPT")
			return c.ID
		}},
		{"component.grid_empty", func(ds *data.Dataset) string {
			c := ds.Components[pointComponent(ds, 9)]
			c.Grid = ""
			return c.ID
		}},
		{"department.duplicate", func(ds *data.Dataset) string {
			ds.Departments = append(ds.Departments, &data.Department{Code: "DUP", Name: "a"}, &data.Department{Code: "DUP", Name: "b"})
			return "DUP"
		}},
		{"area.name", func(ds *data.Dataset) string {
			a := ds.Areas[communityIndex(ds, 4)]
			a.Name = ""
			return a.Code
		}},
		{"address.duplicate", func(ds *data.Dataset) string {
			a := *ds.Addresses[0]
			a.Full = "重复的门牌"
			ds.Addresses = append(ds.Addresses, &a)
			return a.Full
		}},
		{"road.duplicate", func(ds *data.Dataset) string {
			r := *ds.Roads[0]
			r.Name = "重复路"
			ds.Roads = append(ds.Roads, &r)
			return r.Name
		}},
		{"poi.duplicate", func(ds *data.Dataset) string {
			ds.POIs = append(ds.POIs, &data.POI{ID: 777001, Name: "甲", Point: orb.Point{114.1, 22.55}}, &data.POI{ID: 777001, Name: "乙", Point: orb.Point{114.1, 22.55}})
			return "乙"
		}},
		{"building.duplicate", func(ds *data.Dataset) string {
			ds.Buildings = append(ds.Buildings, &data.Building{ID: 777002, Name: "1栋", Point: orb.Point{114.1, 22.55}}, &data.Building{ID: 777002, Name: "2栋", Point: orb.Point{114.1, 22.55}})
			return "2栋"
		}},
		{"road.geometry", func(ds *data.Dataset) string {
			ds.Roads = append(ds.Roads, &data.Road{ID: 999999, Name: "断头路", Line: orb.LineString{{114.1, 22.55}}})
			return "断头路"
		}},
	}
	kinds := map[string]bool{}
	for _, m := range muts {
		kinds[m.check] = true
	}
	if len(kinds) < 20 {
		t.Fatalf("only %d kinds of defect seeded, want ≥ 20", len(kinds))
	}
	for i, m := range muts {
		t.Run(m.check, func(t *testing.T) {
			ds := smallCity(t)
			id := m.mutate(ds)
			var got []string
			found := false
			for _, f := range validate(ds) {
				if f.Check == m.check && (id == "" || f.SourceID == id) {
					found = true
				}
				got = append(got, f.Check+" "+f.SourceID)
			}
			if !found {
				sort.Strings(got)
				t.Errorf("mutation %d: no %s finding for %q; got %v", i, m.check, id, got)
			}
		})
	}
}

func shift(r orb.Ring, d float64) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{p[0] + d, p[1]}
	}
	return out
}

func shiftPt(p orb.Point, d float64) orb.Point { return orb.Point{p[0] + d, p[1] + d} }

// TestGridOverlapMargin moves a 100 m grid onto its eastern neighbour by a few metres each way:
// touching or within the 0.5 m tolerance is no overlap, beyond it is, though the two grids'
// boxes then overlap by a sliver only (the box test that spares a lattice's neighbours the
// polygon tests must not spare these).
func TestGridOverlapMargin(t *testing.T) {
	const metre = 1 / 111195.0    // degrees of latitude
	lonMetre := metre / 0.9238795 // at 22.5° N
	square := func(x, y float64) orb.Polygon {
		w, h := 100*lonMetre, 100*metre
		return orb.Polygon{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}}
	}
	tests := []struct {
		name   string
		dx, dy float64 // metres onto the neighbour, and north
		want   bool
	}{
		{"touching", 0, 0, false},
		{"0.3 m onto it", 0.3, 0.3, false},
		{"2 m onto it", 2, 2, true},
		{"2 m onto it from the south-west", 2, -2, true},
		{"30 m onto it", 30, 0.6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := &data.Dataset{Grids: []*data.Grid{
				{Code: "440303001001001", Community: "440303001001", Polygon: square(114.1, 22.5)},
				{Code: "440303001001002", Community: "440303001001", Polygon: square(114.1+(100-tt.dx)*lonMetre, 22.5+tt.dy*metre)},
			}}
			got := false
			for _, f := range validate(ds) {
				got = got || f.Check == "grid.overlap"
			}
			if got != tt.want {
				t.Errorf("overlap found %v, want %v", got, tt.want)
			}
		})
	}
}
