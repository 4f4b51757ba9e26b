package ogc

import (
	"net/url"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"
)

// Media types of the answers and links.
const (
	TypeJSON    = "application/json"
	TypeGeoJSON = "application/geo+json"
	TypeHTML    = "text/html"
	TypeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	TypeSchema  = "application/schema+json"
)

// Conformance lists the conformance classes the service implements.
var Conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

// The reference systems extents are given in.
const (
	gregorian  = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	storageCRS = epsgURI + "4490" // CGCS2000, what every geometry is stored in
)

// Link is a link of an OGC API document.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// Landing is the landing page.
type Landing struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Links       []Link `json:"links"`
}

// ConformanceDoc is the conformance declaration.
type ConformanceDoc struct {
	ConformsTo []string `json:"conformsTo"`
}

// CollectionsDoc is the collections resource: every collection and the CRSs they offer.
type CollectionsDoc struct {
	Links       []Link          `json:"links"`
	Collections []CollectionDoc `json:"collections"`
	CRS         []string        `json:"crs"`
}

// CollectionDoc describes one collection.
type CollectionDoc struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Links       []Link    `json:"links"`
	Extent      ExtentDoc `json:"extent"`
	ItemType    string    `json:"itemType"`
	CRS         []string  `json:"crs"`
	StorageCRS  string    `json:"storageCrs"`
	// Count is not in the standard; the HTML pages show it (clients count with numberMatched).
	Count int `json:"-"`
}

// ExtentDoc is a collection's extent: a CRS84 box and, where features have a time, the span.
type ExtentDoc struct {
	Spatial  *SpatialExtent  `json:"spatial,omitempty"`
	Temporal *TemporalExtent `json:"temporal,omitempty"`
}

// SpatialExtent is a list of boxes (one here) in CRS84.
type SpatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

// TemporalExtent is a list of intervals (one here), nil for an open end.
type TemporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

// Links builds the links of a resource at path (under base, the service's absolute URL):
// self in JSON (or jsonType), alternate in HTML, from the request's query so a link reproduces
// what was asked.
func selfLinks(base, path string, query url.Values, jsonType string) []Link {
	return []Link{
		{Href: href(base, path, query, "json"), Rel: "self", Type: jsonType, Title: "this document"},
		{Href: href(base, path, query, "html"), Rel: "alternate", Type: TypeHTML, Title: "this document as HTML"},
	}
}

// href is base+path with the query, f set to format ("" leaves f out).
func href(base, path string, query url.Values, format string) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Del("f")
	if format != "" {
		q.Set("f", format)
	}
	if len(q) == 0 {
		return base + path
	}
	return base + path + "?" + q.Encode()
}

// LandingDoc is the landing page of the service at base.
func (c *Catalog) LandingDoc(base string, query url.Values) Landing {
	return Landing{
		Title:       c.title + " — OGC API – Features",
		Description: "城市部件、单元网格、行政区划、道路、门牌、兴趣点与案卷 (dataset version " + strconv.FormatInt(c.version, 10) + "): OGC API – Features Part 1 Core and Part 2 CRS by reference.",
		Links: append(selfLinks(base, "", query, TypeJSON),
			Link{Href: base + "/api", Rel: "service-desc", Type: TypeOpenAPI, Title: "the API definition (OpenAPI 3.0)"},
			Link{Href: base + "/api?f=html", Rel: "service-doc", Type: TypeHTML, Title: "the API documentation"},
			Link{Href: base + "/conformance", Rel: "conformance", Type: TypeJSON, Title: "conformance classes"},
			Link{Href: base + "/collections", Rel: "data", Type: TypeJSON, Title: "the collections"},
		),
	}
}

// ConformanceDoc is the conformance declaration with its links.
func (c *Catalog) ConformanceDoc() ConformanceDoc {
	return ConformanceDoc{ConformsTo: Conformance}
}

// CollectionsDoc describes every collection.
func (c *Catalog) CollectionsDoc(base string, query url.Values) CollectionsDoc {
	doc := CollectionsDoc{Links: selfLinks(base, "/collections", query, TypeJSON), CRS: uris(c.crs)}
	for _, col := range c.Collections() {
		doc.Collections = append(doc.Collections, collectionDoc(base, col, nil))
	}
	return doc
}

// CollectionDoc describes one collection (ErrNoCollection for an unknown id).
func (c *Catalog) CollectionDoc(base, id string, query url.Values) (CollectionDoc, error) {
	col, err := c.Collection(id)
	if err != nil {
		return CollectionDoc{}, err
	}
	return collectionDoc(base, col, query), nil
}

func uris(cs []CRS) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.URI
	}
	return out
}

func collectionDoc(base string, col Collection, query url.Values) CollectionDoc {
	p := "/collections/" + url.PathEscape(col.ID)
	d := CollectionDoc{ID: col.ID, Title: col.Title, Description: col.Description, ItemType: "feature",
		CRS: uris(col.CRS), StorageCRS: storageCRS, Count: col.Count,
		Links: append(selfLinks(base, p, query, TypeJSON),
			Link{Href: base + p + "/items", Rel: "items", Type: TypeGeoJSON, Title: "the features (GeoJSON)"},
			Link{Href: base + p + "/items?f=html", Rel: "items", Type: TypeHTML, Title: "the features (HTML)"},
			Link{Href: base + p + "/schema", Rel: "describedby", Type: TypeSchema, Title: "the features' schema"},
			// GDAL's OAPIF driver (3.6) matches the relation as "describedBy", case and all; without
			// it GDAL guesses field types from the first page and turns every date into a date field.
			Link{Href: base + p + "/schema", Rel: "describedBy", Type: TypeSchema, Title: "the features' schema (for GDAL)"},
			Link{Href: base + p + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: TypeSchema, Title: "the properties items can be filtered on"},
		)}
	if e := col.Extent; e.HasBound {
		d.Extent.Spatial = &SpatialExtent{BBox: [][4]float64{{e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1]}}, CRS: CRS84URI}
	}
	if e := col.Extent; e.HasTime && col.TimeProperty != "" {
		start, end := e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339)
		d.Extent.Temporal = &TemporalExtent{Interval: [][2]*string{{&start, &end}}, TRS: gregorian}
	}
	return d
}

// FeatureCollectionDoc is an items page as GeoJSON with the standard's members and links:
// self, alternate, next and prev (offset paging), collection.
func (c *Catalog) FeatureCollectionDoc(base string, items *Items, query url.Values) *geojson.FeatureCollection {
	p := "/collections/" + url.PathEscape(items.Collection.ID)
	links := append(selfLinks(base, p+"/items", query, TypeGeoJSON),
		Link{Href: base + p, Rel: "collection", Type: TypeJSON, Title: items.Collection.Title})
	page := func(offset int) url.Values {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(items.Limit))
		return q
	}
	// next and prev in GeoJSON for clients, and in HTML for the pages' pager.
	for _, l := range []struct {
		rel, title string
		offset     int
		ok         bool
	}{
		{"next", "next page", items.Offset + items.Limit, items.Offset+len(items.Features) < items.NumberMatched && len(items.Features) > 0},
		{"prev", "previous page", max(0, items.Offset-items.Limit), items.Offset > 0},
	} {
		if l.ok {
			links = append(links, Link{Href: href(base, p+"/items", page(l.offset), "json"), Rel: l.rel, Type: TypeGeoJSON, Title: l.title},
				Link{Href: href(base, p+"/items", page(l.offset), "html"), Rel: l.rel, Type: TypeHTML, Title: l.title})
		}
	}
	fc := geojson.NewFeatureCollection()
	fc.Features = append(fc.Features, items.Features...)
	fc.ExtraMembers = geojson.Properties{
		"links": links, "numberMatched": items.NumberMatched, "numberReturned": len(items.Features),
		"timeStamp": items.TimeStamp.Format(time.RFC3339),
	}
	return fc
}

// FeatureDoc adds the links of a single feature to it: self, alternate, collection.
func FeatureDoc(base, collectionID string, f *geojson.Feature, query url.Values) *geojson.Feature {
	p := "/collections/" + url.PathEscape(collectionID)
	id := url.PathEscape(format(f.ID))
	f.ExtraMembers = geojson.Properties{"links": append(selfLinks(base, p+"/items/"+id, query, TypeGeoJSON),
		Link{Href: base + p, Rel: "collection", Type: TypeJSON})}
	return f
}
