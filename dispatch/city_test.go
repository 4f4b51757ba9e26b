package dispatch_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// bruteLocator is a linear-scan Locator over a dataset: the reference the tests check the
// resolver with, independent of the geo package's indexes.
type bruteLocator struct {
	ds    *data.Dataset
	areas map[string]*data.Area
	comps map[string]*data.Component
}

func newBrute(ds *data.Dataset) *bruteLocator {
	b := &bruteLocator{ds: ds, areas: map[string]*data.Area{}, comps: map[string]*data.Component{}}
	for _, a := range ds.Areas {
		b.areas[a.Code] = a
	}
	for _, c := range ds.Components {
		b.comps[c.ID] = c
	}
	return b
}

func (b *bruteLocator) Locate(p orb.Point) dispatch.Place {
	for _, g := range b.ds.Grids {
		if planar.PolygonContains(g.Polygon, p) {
			c := b.areas[g.Community]
			return dispatch.Place{Grid: g, Community: c, Street: b.areas[data.Parent(g.Community)],
				District: b.areas[data.Parent(data.Parent(g.Community))]}
		}
	}
	return dispatch.Place{Outside: true}
}

func (b *bruteLocator) NearestOfClass(p orb.Point, class string, radius float64) (*data.Component, float64) {
	var best *data.Component
	bd := math.Inf(1)
	for _, c := range b.ds.Components {
		if c.Class() != class {
			continue
		}
		q, ok := c.Geometry.(orb.Point)
		if !ok {
			continue
		}
		if d := metres(p, q); d <= radius && d < bd {
			best, bd = c, d
		}
	}
	return best, bd
}

func (b *bruteLocator) Component(id string) *data.Component { return b.comps[id] }

func (b *bruteLocator) ToCGCS2000(p orb.Point, crs string) (orb.Point, error) {
	switch crs {
	case "wgs84", "cgcs2000":
		return p, nil
	}
	return p, fmt.Errorf("crs %q not supported by the test locator", crs)
}

func metres(a, b orb.Point) float64 {
	const r = 6371008.8
	dx := (b[0] - a[0]) * math.Pi / 180 * math.Cos((a[1]+b[1])/2*math.Pi/180)
	dy := (b[1] - a[1]) * math.Pi / 180
	return r * math.Hypot(dx, dy)
}

// Cells of the test city: 0.001° squares in a row along latitude 22.55, west to east.
const (
	gridDongmenPed = "440303003020001" // 东门社区, the pedestrian-street grid with its own rules
	gridDongmen    = "440303003020002" // 东门社区
	gridQingshui   = "440303010001001" // 清水河社区 (community rules)
	gridDatanglong = "440303001001001" // 大塘龙社区, 桂园街道
)

var testGrids = []string{gridDongmenPed, gridDongmen, gridQingshui, gridDatanglong}

// cellCentre returns the centre of test grid i.
func cellCentre(i int) orb.Point { return orb.Point{114.1 + float64(i)*0.001 + 0.0005, 22.5505} }

func square(x0, y0, s float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}}
}

// testCity builds four grids in three streets of 罗湖区 and a few components with different
// department fields, all named with real Luohu codes.
func testCity() *data.Dataset {
	ds := &data.Dataset{Name: "test"}
	names := map[string]string{"440303": "罗湖区", "440303001": "桂园街道", "440303003": "东门街道",
		"440303010": "清水河街道", "440303001001": "大塘龙社区", "440303003020": "东门社区", "440303010001": "清水河社区"}
	polys := map[string]orb.MultiPolygon{}
	for i, code := range testGrids {
		poly := square(114.1+float64(i)*0.001, 22.55, 0.001)
		ds.Grids = append(ds.Grids, &data.Grid{Code: code, Community: code[:12], Polygon: poly, AreaM2: 10_000})
		for _, a := range []string{code[:12], code[:9], code[:6]} {
			polys[a] = append(polys[a], poly)
		}
	}
	for code, name := range names {
		lvl, _ := data.ParseAreaCode(code)
		ds.Areas = append(ds.Areas, &data.Area{Code: code, Name: name, Level: lvl, Parent: data.Parent(code), Polygon: polys[code]})
	}
	at := func(i int, dx float64) orb.Point { c := cellCentre(i); return orb.Point{c[0] + dx, c[1]} }
	maint := data.MakeDept("M1", "养护公司")
	prop := data.MakeDept("P1", "权属单位甲")
	owner := data.MakeDept("O1", "主管部门乙")
	ds.Components = []*data.Component{
		{ID: "4403030101000001", Scheme: data.CJT214, Major: "01", Minor: "01", Name: "上水井盖", Maintainer: maint, Owner: owner, Geometry: at(3, 0)},
		{ID: "4403030117000001", Scheme: data.CJT214, Major: "01", Minor: "17", Name: "立杆", Maintainer: maint, Property: prop, Owner: owner, Geometry: at(3, 0.0001)},
		{ID: "4403030117000002", Scheme: data.CJT214, Major: "01", Minor: "17", Name: "立杆", Property: prop, Owner: owner, Geometry: at(1, 0)},
		{ID: "4403030117000003", Scheme: data.CJT214, Major: "01", Minor: "17", Name: "立杆", Owner: owner, Geometry: at(2, 0)},
	}
	return ds
}

// sampleResolver is the resolver over the test city with the sample rule set.
func sampleResolver(feed *dispatch.Feed) (*dispatch.Resolver, error) {
	rules, err := dispatch.SampleRules()
	if err != nil {
		return nil, err
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		return nil, err
	}
	ix, err := geo.NewIndex(testCity(), geo.IndexOptions{})
	if err != nil {
		return nil, err
	}
	return &dispatch.Resolver{Locator: dispatch.GeoLocator{Index: ix}, Rules: set, Feed: feed}, nil
}

func ptr(p orb.Point) *orb.Point { return &p }

func isTie(err error) bool { return err != nil && strings.Contains(err.Error(), "ties with record") }

// TestGeoLocatorTwin checks the geo-backed Locator against the linear scan on the test city.
func TestGeoLocatorTwin(t *testing.T) {
	ds := testCity()
	ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: -1})
	if err != nil {
		t.Fatal(err)
	}
	g, b := dispatch.GeoLocator{Index: ix}, newBrute(ds)
	for i := range 2000 {
		p := orb.Point{114.0995 + float64(i%50)*0.0001, 22.5495 + float64(i/50)*0.00003}
		gl, bl := g.Locate(p), b.Locate(p)
		if gl.Outside != bl.Outside || (gl.Grid == nil) != (bl.Grid == nil) || (gl.Grid != nil && gl.Grid.Code != bl.Grid.Code && !onEdge(p)) {
			t.Fatalf("Locate(%v): geo %+v, brute %+v", p, gl, bl)
		}
		gc, gd := g.NearestOfClass(p, "0117", 20)
		bc, bd := b.NearestOfClass(p, "0117", 20)
		if (gc == nil) != (bc == nil) || (gc != nil && (gc.ID != bc.ID || math.Abs(gd-bd) > 0.1)) {
			t.Fatalf("NearestOfClass(%v): geo %v %.2f, brute %v %.2f", p, gc, gd, bc, bd)
		}
	}
}

// onEdge reports whether p lies on a shared grid edge of the test city, where either grid is right.
func onEdge(p orb.Point) bool {
	f := (p[0] - 114.1) / 0.001
	return math.Abs(f-math.Round(f)) < 1e-9
}
