package ogc_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
	"citygeo/ogc"
)

type city struct {
	ds  *data.Dataset
	ix  *geo.Index
	cat *ogc.Catalog
}

var sampleCity = sync.OnceValues(func() (*city, error) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		return nil, err
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		return nil, err
	}
	return &city{ds: ds, ix: ix, cat: ogc.NewCatalog(ds, ix, ogc.Options{})}, nil
})

func load(t *testing.T) *city {
	t.Helper()
	c, err := sampleCity()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func query(t *testing.T, cat *ogc.Catalog, id string, params string) (*ogc.Items, error) {
	t.Helper()
	col, err := cat.Collection(id)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(params)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ogc.ParseQuery(col, v)
	if err != nil {
		return nil, err
	}
	return cat.Items(id, q)
}

// all pages through a query and returns the feature ids in the order served.
func all(t *testing.T, cat *ogc.Catalog, id, params string, limit int) (ids []string, matched int) {
	t.Helper()
	for offset := 0; ; offset += limit {
		page, err := query(t, cat, id, fmt.Sprintf("%s&limit=%d&offset=%d", params, limit, offset))
		if err != nil {
			t.Fatalf("%s?%s offset %d: %v", id, params, offset, err)
		}
		for _, f := range page.Features {
			ids = append(ids, fmt.Sprint(f.ID))
		}
		matched = page.NumberMatched
		if len(page.Features) < limit {
			return ids, matched
		}
	}
}

func TestCollectionsCounts(t *testing.T) {
	c := load(t)
	levels := map[data.AreaLevel]int{}
	for _, a := range c.ds.Areas {
		levels[a.Level]++
	}
	perMajor := map[string]int{}
	for _, cp := range c.ds.Components {
		perMajor[cp.Major]++
	}
	want := map[string]int{
		"grids": len(c.ds.Grids), "districts": levels[data.District], "streets": levels[data.Street],
		"communities": levels[data.Community], "components": len(c.ds.Components),
		"roads": len(c.ds.Roads), "addresses": len(c.ds.Addresses), "pois": len(c.ds.POIs),
	}
	for m, n := range perMajor {
		want["components-"+m] = n
	}
	cols := c.cat.Collections()
	if len(cols) != len(want) {
		t.Errorf("%d collections, want %d", len(cols), len(want))
	}
	for _, col := range cols {
		if col.Count != want[col.ID] {
			t.Errorf("%s: count %d, want %d", col.ID, col.Count, want[col.ID])
		}
		if !col.Extent.HasBound || !c.ix.Bound().Pad(1e-9).Contains(col.Extent.Bound.Min) {
			t.Errorf("%s: extent %v outside the city %v", col.ID, col.Extent.Bound, c.ix.Bound())
		}
	}
	comps, _ := c.cat.Collection("components")
	if comps.TimeProperty != "init_date" || !comps.Extent.HasTime || comps.Extent.Start.Year() < 1990 {
		t.Errorf("components: time property %q, temporal extent %v", comps.TimeProperty, comps.Extent)
	}
	if _, err := c.cat.Collection("events"); !errors.Is(err, ogc.ErrNoCollection) {
		t.Errorf("events without a feed: %v, want ErrNoCollection", err)
	}
}

// Paging walks a collection in one stable order: every feature once, none twice, whatever the
// page size, with and without a filter.
func TestPagingIsStable(t *testing.T) {
	c := load(t)
	whole, n := all(t, c.cat, "pois", "", 1000)
	if n != len(c.ds.POIs) || len(whole) != n {
		t.Fatalf("pois: %d served of %d matched, want %d", len(whole), n, len(c.ds.POIs))
	}
	for _, limit := range []int{1, 7, 64, 65} {
		got, _ := all(t, c.cat, "pois", "", limit)
		if fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Fatalf("limit %d pages differently", limit)
		}
	}
	b := c.ix.Bound()
	box := fmt.Sprintf("bbox=%f,%f,%f,%f", b.Min[0], b.Min[1], b.Center()[0], b.Center()[1])
	filtered, _ := all(t, c.cat, "components", box, 500)
	pages, m := all(t, c.cat, "components", box, 63)
	if fmt.Sprint(pages) != fmt.Sprint(filtered) || len(pages) != m || m == 0 {
		t.Fatalf("filtered paging differs: %d vs %d of %d", len(pages), len(filtered), m)
	}
	seen := map[string]bool{}
	for _, id := range pages {
		if seen[id] {
			t.Fatalf("%s served twice", id)
		}
		seen[id] = true
	}
}

// TestBBoxAgainstBruteForce: box queries in CRS84, EPSG:4326 (latitude first) and EPSG:4547
// (metres, northing first) give exactly the features whose geometry meets the box, computed
// by testing every feature; with a class filter and a datetime too.
func TestBBoxAgainstBruteForce(t *testing.T) {
	c := load(t)
	gk, _ := ogc.ParseCRS("EPSG:4547")
	rng := rand.New(rand.NewPCG(3, 4))
	b := c.ix.Bound()
	for i := 0; i < 6; i++ {
		w, h := 0.002+rng.Float64()*0.01, 0.002+rng.Float64()*0.01
		x := b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]-w)
		y := b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]-h)
		box := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}}
		gkBox := geo.BoundFromCGCS2000(box, gk.CRS) // a metre box around the degree box, to the mm
		for _, p := range []*orb.Point{&gkBox.Min, &gkBox.Max} {
			p[0], p[1] = math.Round(p[0]*1000)/1000, math.Round(p[1]*1000)/1000
		}
		for _, tc := range []struct {
			coll, params string
			keep         func(cp *data.Component) bool
		}{
			{"components", fmt.Sprintf("bbox=%v,%v,%v,%v", box.Min[0], box.Min[1], box.Max[0], box.Max[1]),
				func(cp *data.Component) bool { return geo.Intersects(cp.Geometry, box) }},
			{"components", fmt.Sprintf("bbox=%v,%v,%v,%v&bbox-crs=EPSG:4326", box.Min[1], box.Min[0], box.Max[1], box.Max[0]),
				func(cp *data.Component) bool { return geo.Intersects(cp.Geometry, box) }},
			{"components-01", fmt.Sprintf("bbox=%v,%v,%v,%v&class=0118", box.Min[0], box.Min[1], box.Max[0], box.Max[1]),
				func(cp *data.Component) bool { return cp.Class() == "0118" && geo.Intersects(cp.Geometry, box) }},
			{"components", fmt.Sprintf("bbox=%.3f,%.3f,%.3f,%.3f&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4547", gkBox.Min[1], gkBox.Min[0], gkBox.Max[1], gkBox.Max[0]),
				func(cp *data.Component) bool {
					return geo.Intersects(project.Geometry(orb.Clone(cp.Geometry), func(p orb.Point) orb.Point { return geo.FromCGCS2000(p, gk.CRS) }), gkBox)
				}},
			{"components", fmt.Sprintf("bbox=%v,%v,%v,%v&datetime=2015-01-01/2018-12-31", box.Min[0], box.Min[1], box.Max[0], box.Max[1]),
				func(cp *data.Component) bool {
					return geo.Intersects(cp.Geometry, box) && cp.InitDate.Year() >= 2015 && cp.InitDate.Year() <= 2018
				}},
		} {
			var want []string
			for _, cp := range c.ds.Components {
				if tc.keep(cp) {
					want = append(want, cp.ID)
				}
			}
			got, n := all(t, c.cat, tc.coll, tc.params, 400)
			sort.Strings(got)
			sort.Strings(want)
			if fmt.Sprint(got) != fmt.Sprint(want) || n != len(want) {
				t.Fatalf("%s?%s: %d features (matched %d), want %d", tc.coll, tc.params, len(got), n, len(want))
			}
		}
	}
}

func TestQueryErrors(t *testing.T) {
	c := load(t)
	tests := []struct{ coll, params, param string }{
		{"components", "clas=0118", "clas"},
		{"components", "class=0118&class=0119", "class"},
		{"grids", "class=0118", "class"}, // a queryable of another collection
		{"components", "limit=0", "limit"},
		{"components", "limit=ten", "limit"},
		{"components", "offset=-1", "offset"},
		{"components", "crs=EPSG:4548", "crs"}, // a zone far from the city
		{"components", "crs=EPSG:2383", "crs"},
		{"components", "bbox-crs=EPSG:9999&bbox=1,2,3,4", "bbox-crs"},
		{"components", "bbox=114,22,113,23", "bbox"},         // CRS84 crossing the antimeridian is fine; this is not the city but valid
		{"components", "bbox=22.5,114.1,22.6,114.2", "bbox"}, // lat/lon sent as CRS84: latitude 114
		{"components", "bbox=114.1,22.5,114.2,22.6&bbox-crs=EPSG:4326", "bbox"},
		{"components", "bbox=513000,2494000,512000,2495000&bbox-crs=EPSG:3857", "bbox"},
		{"components", "datetime=soon", "datetime"},
	}
	for _, tc := range tests {
		t.Run(tc.params, func(t *testing.T) {
			_, err := query(t, c.cat, tc.coll, tc.params)
			if tc.params == "bbox=114,22,113,23" {
				if err != nil {
					t.Fatalf("a box across the antimeridian: %v", err)
				}
				return
			}
			var pe *ogc.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("%s?%s: %v, want a ParamError on %s", tc.coll, tc.params, err, tc.param)
			}
		})
	}
	if _, err := query(t, c.cat, "nothing", ""); !errors.Is(err, ogc.ErrNoCollection) {
		t.Errorf("unknown collection: %v", err)
	}
	// a limit above the maximum is served at the maximum, not refused
	if page, err := query(t, c.cat, "addresses", "limit=1000000"); err != nil || page.Limit != ogc.MaxLimit {
		t.Errorf("limit=1000000: %v, %v", page, err)
	}
	// a datetime on a collection with no temporal property matches nothing
	if page, err := query(t, c.cat, "grids", "datetime=2024-01-01"); err != nil || page.NumberMatched != 0 {
		t.Errorf("grids?datetime: %v, %v", page, err)
	}
}

func TestItem(t *testing.T) {
	c := load(t)
	gk, _ := ogc.ParseCRS("EPSG:4547")
	for _, col := range c.cat.Collections() {
		page, err := query(t, c.cat, col.ID, fmt.Sprintf("limit=1&offset=%d", min(3, col.Count-1)))
		if err != nil || len(page.Features) != 1 {
			t.Fatalf("%s: %v, %v", col.ID, page, err)
		}
		id := fmt.Sprint(page.Features[0].ID)
		f, err := c.cat.Item(col.ID, id, ogc.CRS84)
		if err != nil || fmt.Sprint(f.ID) != id || len(f.Properties) != len(col.Fields) {
			t.Fatalf("%s/%s: %v, %v", col.ID, id, f, err)
		}
		if f, err := c.cat.Item(col.ID, id, gk); err != nil || f.Geometry.Bound().Min[0] < 2e6 {
			t.Errorf("%s/%s in EPSG:4547: %v, %v (want northing first)", col.ID, id, f.Geometry, err)
		}
		if _, err := c.cat.Item(col.ID, "x"+id, ogc.CRS84); !errors.Is(err, ogc.ErrNoFeature) {
			t.Errorf("%s/x%s: %v, want ErrNoFeature", col.ID, id, err)
		}
	}
	// a component is not a feature of another major class's collection
	cp := c.ds.Components[0]
	if _, err := c.cat.Item("components-04", cp.ID, ogc.CRS84); cp.Major != "04" && !errors.Is(err, ogc.ErrNoFeature) {
		t.Errorf("component %s (major %s) in components-04: %v", cp.ID, cp.Major, err)
	}
}

type feed []data.Event

func (f feed) OpenIn(b orb.Bound, iter func(e data.Event) bool) {
	for _, e := range f {
		if b.Contains(e.Point) && !iter(e) {
			return
		}
	}
}

func TestEvents(t *testing.T) {
	c := load(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	evs := feed{
		{ID: "C2", Point: orb.Point{114.118, 22.548}, Status: data.EventOpen, Reported: now.Add(-2 * time.Hour), Deadline: now.Add(-time.Hour), Class: data.ClassRef{Code: "0501", Kind: "event"}},
		{ID: "C1", Point: orb.Point{114.12, 22.55}, Status: data.EventOpen, Reported: now.Add(-48 * time.Hour), Class: data.ClassRef{Code: "0118", Kind: "component"}},
	}
	cat := ogc.NewCatalog(c.ds, c.ix, ogc.Options{Events: evs, Now: func() time.Time { return now }})
	col, err := cat.Collection(ogc.EventsID)
	if err != nil || col.Count != 2 || col.TimeProperty != "reported" || !col.Extent.Start.Equal(now.Add(-48*time.Hour)) {
		t.Fatalf("events: %+v, %v", col, err)
	}
	page, err := query(t, cat, "events", "datetime=../"+now.Add(-24*time.Hour).Format(time.RFC3339))
	if err != nil || len(page.Features) != 1 || page.Features[0].ID != "C1" {
		t.Fatalf("events reported over a day ago: %v, %v", page, err)
	}
	page, err = query(t, cat, "events", "kind=event")
	if err != nil || len(page.Features) != 1 || page.Features[0].Properties["overdue"] != true {
		t.Fatalf("events of kind event: %v, %v", page, err)
	}
}

// FuzzParseQuery: any query string is either refused with a ParamError or parsed into a query
// the catalog can run: limits in range, boxes ordered, CRSs among those offered.
func FuzzParseQuery(f *testing.F) {
	luohu := orb.Bound{Min: orb.Point{114.09, 22.52}, Max: orb.Point{114.17, 22.58}}
	col := ogc.Collection{ID: "components", CRS: ogc.Offered(luohu), Fields: []ogc.Field{
		{Name: "class", Type: "string", Queryable: true}, {Name: "name", Type: "string"}}}
	for _, s := range []string{"bbox=114.1,22.5,114.2,22.6&class=0118", "bbox=22.5,114.1,22.6,114.2&bbox-crs=EPSG:4326",
		"crs=http://www.opengis.net/def/crs/EPSG/0/4547&limit=5&offset=10", "datetime=2024-01-01/..&f=html", "bbox=170,-10,-170,10", "name=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		q, err := ogc.ParseQuery(col, v)
		if err != nil {
			var pe *ogc.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %v is not a ParamError", s, err)
			}
			return
		}
		if q.Limit < 1 || q.Limit > ogc.MaxLimit || q.Offset < 0 {
			t.Fatalf("%q: limit %d offset %d", s, q.Limit, q.Offset)
		}
		for _, b := range q.Boxes {
			if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
				t.Fatalf("%q: box %v runs backwards", s, b)
			}
		}
		for _, k := range []string{"name"} {
			if _, ok := q.Props[k]; ok {
				t.Fatalf("%q: %s is not queryable but filters", s, k)
			}
		}
	})
}
