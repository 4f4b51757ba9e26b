package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
)

// sampleSnap is the sample city's snapshot, built once for the OGC tests: a snapshot is
// immutable, so servers may share it.
var sampleSnap = sync.OnceValues(func() (*city.Snapshot, error) {
	ds, err := sampleOnce()
	if err != nil {
		return nil, err
	}
	return city.Build(ds, city.Options{})
})

// ogcSampleServer serves the shared sample snapshot with opts.
func ogcSampleServer(t *testing.T, opts api.Options) (*api.Server, *data.Dataset) {
	t.Helper()
	snap, err := sampleSnap()
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = quietLog
	srv := api.New(opts)
	srv.Swap(snap)
	return srv, snap.Dataset
}

// getAccept fetches a path with an Accept header and returns status, headers and body.
func getAccept(t *testing.T, h http.Handler, path, accept string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, rec.Header(), string(body)
}

func TestOGCNegotiation(t *testing.T) {
	srv, _ := ogcSampleServer(t, api.Options{})
	h := srv.Handler()
	tests := []struct {
		path, accept string
		status       int
		ctype        string
	}{
		{"/ogc", "", 200, "application/json"},
		{"/ogc", "text/html,application/xhtml+xml,*/*;q=0.8", 200, "text/html; charset=utf-8"},
		{"/ogc?f=json", "text/html", 200, "application/json"},
		{"/ogc?f=html", "application/json", 200, "text/html; charset=utf-8"},
		{"/ogc?f=xml", "", 400, "application/json; charset=utf-8"},
		{"/ogc/api", "", 200, "application/vnd.oai.openapi+json;version=3.0"},
		{"/ogc/conformance?f=html", "", 200, "text/html; charset=utf-8"},
		{"/ogc/collections", "application/json", 200, "application/json"},
		{"/ogc/collections?f=html", "", 200, "text/html; charset=utf-8"},
		{"/ogc/collections/grids?f=html", "", 200, "text/html; charset=utf-8"},
		{"/ogc/collections/grids/items?limit=3", "application/geo+json, application/json", 200, "application/geo+json"},
		{"/ogc/collections/grids/items?limit=3&f=html", "", 200, "text/html; charset=utf-8"},
		{"/ogc/collections/grids/schema", "application/schema+json", 200, "application/schema+json"},
		{"/ogc/collections/grids/queryables", "", 200, "application/schema+json"},
		{"/ogc/collections/nothing", "", 404, "application/json; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			code, hdr, body := getAccept(t, h, tc.path, tc.accept)
			if code != tc.status || hdr.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %q, want %d %q: %.300s", code, hdr.Get("Content-Type"), tc.status, tc.ctype, body)
			}
			if strings.HasPrefix(tc.ctype, "text/html") && !strings.Contains(body, "</html>") {
				t.Errorf("not a whole page: %.300s", body)
			}
		})
	}
}

type ogcLink struct{ Href, Rel, Type string }

type ogcItems struct {
	Features []struct {
		ID       any
		Geometry struct {
			Type        string
			Coordinates json.RawMessage
		}
		Properties map[string]any
	}
	Links          []ogcLink
	NumberMatched  int
	NumberReturned int
	TimeStamp      string
}

func items(t *testing.T, h http.Handler, path string) (ogcItems, http.Header) {
	t.Helper()
	code, hdr, body := getAccept(t, h, path, "application/geo+json")
	if code != 200 {
		t.Fatalf("%s: %d %s", path, code, body)
	}
	var out ogcItems
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out, hdr
}

func link(links []ogcLink, rel, typ string) string {
	for _, l := range links {
		if l.Rel == rel && l.Type == typ {
			return l.Href
		}
	}
	return ""
}

// TestOGCItemsPaging follows next links, absolute as clients take them, through a collection.
func TestOGCItemsPaging(t *testing.T) {
	srv, ds := ogcSampleServer(t, api.Options{})
	h := srv.Handler()
	path := "/ogc/collections/streets/items?limit=4"
	var ids []string
	for pages := 0; path != ""; pages++ {
		page, hdr := items(t, h, path)
		if page.NumberMatched != 10 || page.TimeStamp == "" || hdr.Get("Content-Crs") != "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>" {
			t.Fatalf("%s: matched %d, timeStamp %q, Content-Crs %q", path, page.NumberMatched, page.TimeStamp, hdr.Get("Content-Crs"))
		}
		if page.NumberReturned != len(page.Features) || (pages > 0) != (link(page.Links, "prev", "application/geo+json") != "") {
			t.Fatalf("%s: returned %d of %d, links %v", path, page.NumberReturned, len(page.Features), page.Links)
		}
		for _, f := range page.Features {
			ids = append(ids, fmt.Sprint(f.ID))
		}
		next := link(page.Links, "next", "application/geo+json")
		if next != "" && !strings.HasPrefix(next, "http://example.com/ogc/collections/streets/items?") {
			t.Fatalf("next link %q is not absolute", next)
		}
		path = strings.TrimPrefix(next, "http://example.com")
	}
	var want []string
	for _, a := range ds.Areas {
		if a.Level == data.Street {
			want = append(want, a.Code)
		}
	}
	if len(ids) != 10 || fmt.Sprint(ids) != fmt.Sprint(sortedStrings(want)) {
		t.Errorf("paged %v, want the 10 streets in code order %v", ids, want)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestOGCAxisOrder: the same component in CRS84 (lon, lat), EPSG:4326 (lat, lon) and
// EPSG:4547 (northing, easting), each answer naming its CRS in Content-Crs.
func TestOGCAxisOrder(t *testing.T) {
	srv, ds := ogcSampleServer(t, api.Options{})
	h := srv.Handler()
	var cp *data.Component
	for _, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok {
			cp = c
			break
		}
	}
	p := cp.Geometry.(orb.Point)
	for _, tc := range []struct {
		crs   string
		check func(x, y float64) bool
	}{
		{"", func(x, y float64) bool { return x == p[0] && y == p[1] }},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", func(x, y float64) bool { return x == p[1] && y == p[0] }},
		{"http://www.opengis.net/def/crs/EPSG/0/4490", func(x, y float64) bool { return x == p[1] && y == p[0] }},
		{"http://www.opengis.net/def/crs/EPSG/0/4547", func(x, y float64) bool { return x > 2.4e6 && x < 2.6e6 && y > 4e5 && y < 6e5 }},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", func(x, y float64) bool { return x > 1.26e7 && y > 2.5e6 && y < 2.6e6 }},
	} {
		path := "/ogc/collections/components/items/" + cp.ID
		if tc.crs != "" {
			path += "?crs=" + tc.crs
		}
		code, hdr, body := getAccept(t, h, path, "")
		var f struct {
			Geometry struct{ Coordinates [2]float64 }
		}
		if err := json.Unmarshal([]byte(body), &f); code != 200 || err != nil {
			t.Fatalf("%s: %d %v %s", path, code, err, body)
		}
		want := tc.crs
		if want == "" {
			want = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
		}
		if c := f.Geometry.Coordinates; !tc.check(c[0], c[1]) || hdr.Get("Content-Crs") != "<"+want+">" {
			t.Errorf("%s: coordinates %v, Content-Crs %q (stored %v)", path, c, hdr.Get("Content-Crs"), p)
		}
	}
}

func TestOGCErrors(t *testing.T) {
	srv, _ := ogcSampleServer(t, api.Options{})
	h := srv.Handler()
	tests := []struct {
		path   string
		status int
		field  string
	}{
		{"/ogc/collections/nothing/items", 404, "collectionId"},
		{"/ogc/collections/grids/items/000", 404, "featureId"},
		{"/ogc/collections/grids/items?bbox=1,2,3", 400, "bbox"},
		{"/ogc/collections/grids/items?colour=red", 400, "colour"},
		{"/ogc/collections/grids/items?crs=EPSG:2383", 400, "crs"},
		{"/ogc/collections/grids/items?limit=0", 400, "limit"},
		{"/ogc/collections/grids/items?datetime=tomorrow", 400, "datetime"},
		{"/ogc/collections/grids/items/440303001001001?bbox=1,2,3,4", 400, "bbox"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			code, body := do(t, h, "GET", tc.path, nil)
			e, _ := body["error"].(map[string]any)
			if code != tc.status || e["field"] != tc.field {
				t.Errorf("%d %v, want %d on %s", code, body, tc.status, tc.field)
			}
		})
	}
	empty := api.New(api.Options{Logger: quietLog})
	if code, _ := do(t, empty.Handler(), "GET", "/ogc/collections", nil); code != 503 {
		t.Errorf("before a dataset: %d, want 503", code)
	}
}

// TestOGCAPIDocument: the OGC OpenAPI document lists each collection's items path with its
// queryables as parameters, where GDAL looks for the filters it may send to the server.
func TestOGCAPIDocument(t *testing.T) {
	srv, _ := ogcSampleServer(t, api.Options{})
	code, doc := do(t, srv.Handler(), "GET", "/ogc/api", nil)
	if code != 200 || doc["openapi"] != "3.0.3" {
		t.Fatalf("%d %v", code, doc["openapi"])
	}
	get := doc["paths"].(map[string]any)["/collections/components/items"].(map[string]any)["get"].(map[string]any)
	var names []string
	for _, p := range get["parameters"].([]any) {
		if n, ok := p.(map[string]any)["name"]; ok {
			names = append(names, n.(string))
		}
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "class") || !strings.Contains(got, "grid") {
		t.Errorf("components items parameters: %s", got)
	}
}

// TestOGCItemsHTML: people get a page with the features drawn and a pager.
func TestOGCItemsHTML(t *testing.T) {
	srv, ds := ogcSampleServer(t, api.Options{})
	_, _, body := getAccept(t, srv.Handler(), "/ogc/collections/roads/items?limit=5&offset=5", "text/html")
	for _, want := range []string{"<svg", "<path", "next page", "previous page", ds.Roads[5].Name} {
		if !strings.Contains(body, want) {
			t.Errorf("roads page has no %q", want)
		}
	}
}

// TestComponentsExactBox: /v1/components, like the OGC API and GDAL, leaves out a line whose
// bounding box meets the query box but which passes beside it.
func TestComponentsExactBox(t *testing.T) {
	srv, ds := ogcSampleServer(t, api.Options{})
	tried := 0
	for _, cp := range ds.Components {
		l, ok := cp.Geometry.(orb.LineString)
		if !ok || len(l) != 2 || l[0][0] == l[1][0] || l[0][1] == l[1][1] {
			continue
		}
		corner := orb.Point{l[0][0], l[1][1]} // a corner of the line's box, off the line
		box := corner.Bound().Pad(2e-6)
		code, body := do(t, srv.Handler(), "GET", fmt.Sprintf("/v1/components?limit=10000&bbox=%v,%v,%v,%v", box.Min[0], box.Min[1], box.Max[0], box.Max[1]), nil)
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		for _, f := range body["features"].([]any) {
			if f.(map[string]any)["id"] == cp.ID {
				t.Fatalf("line %s %v returned for a box beside it %v", cp.ID, l, box)
			}
		}
		if tried++; tried == 5 {
			return
		}
	}
	t.Skip("no slanted two-point line component in the sample")
}

// TestOGCCatalogFollowsSwaps: after a swap the OGC answers come from the new version.
func TestOGCCatalogFollowsSwaps(t *testing.T) {
	srv, ds := ogcSampleServer(t, api.Options{})
	if _, doc := do(t, srv.Handler(), "GET", "/ogc/collections/pois", nil); doc["id"] != "pois" {
		t.Fatalf("%v", doc)
	}
	small := *ds
	small.Version, small.POIs = ds.Version+1, ds.POIs[:3]
	snap, err := city.Build(&small, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(snap)
	page, _ := items(t, srv.Handler(), "/ogc/collections/pois/items")
	if page.NumberMatched != 3 {
		t.Errorf("after the swap: %d POIs, want 3", page.NumberMatched)
	}
}
