package api

import (
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/ogc"
)

// ogcPage is what an OGC HTML page shows: people browse the same resources GDAL reads, as
// server-rendered pages with no script and no external asset (the sites have no internet).
type ogcPage struct {
	Kind           string // landing, conformance, api, collections, collection, items, item
	Title          string
	Base           string
	Landing        *ogc.Landing
	Conformance    []string
	Routes         []Route
	Collections    []ogc.Collection
	CollectionsDoc *ogc.CollectionsDoc
	Collection     *ogc.CollectionDoc
	Fields         []ogc.Field
	Items          *ogc.Items
	FC             *geojson.FeatureCollection
	Feature        *geojson.Feature
	CRS            ogc.CRS
	CollectionID   string
}

//go:embed ogc.html
var ogcHTML string

var ogcTemplate = template.Must(template.New("ogc").Funcs(template.FuncMap{
	"prop": func(p geojson.Properties, name string) any { return p[name] },
	"links": func(fc *geojson.FeatureCollection) []ogc.Link {
		links, _ := fc.ExtraMembers["links"].([]ogc.Link)
		return links
	},
	"map":  svgMap,
	"map1": func(crs ogc.CRS, f *geojson.Feature) template.HTML { return svgMap(crs, []*geojson.Feature{f}) },
}).Parse(ogcHTML))

func renderOGCPage(c *gin.Context, p *ogcPage) {
	var b strings.Builder
	if err := ogcTemplate.Execute(&b, p); err != nil {
		Fail(c, "", err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

// svgMap draws features as an inline SVG, north up: points as dots, lines and rings as paths.
// Coordinates come in the page's CRS; axes are put back to x east, y north, and degrees are
// shrunk east–west by the cosine of the latitude so the city keeps its shape.
func svgMap(crs ogc.CRS, features []*geojson.Feature) template.HTML {
	xy := func(p orb.Point) orb.Point {
		if crs.Swap {
			return orb.Point{p[1], p[0]}
		}
		return p
	}
	var b orb.Bound
	first := true
	for _, f := range features {
		if f.Geometry == nil {
			continue
		}
		for _, p := range []orb.Point{f.Geometry.Bound().Min, f.Geometry.Bound().Max} {
			p = xy(p)
			if first {
				b, first = p.Bound(), false
			}
			b = b.Extend(p)
		}
	}
	if first {
		return ""
	}
	kx := 1.0
	if crs.LonLat() {
		kx = math.Cos(b.Center()[1] * math.Pi / 180)
	}
	w, h := math.Max((b.Max[0]-b.Min[0])*kx, 1e-9), math.Max(b.Max[1]-b.Min[1], 1e-9)
	const width = 640.0
	scale := width / math.Max(w, h)
	at := func(p orb.Point) string {
		p = xy(p)
		return fmt.Sprintf("%.1f %.1f", 10+(p[0]-b.Min[0])*kx*scale, 10+(b.Max[1]-p[1])*scale)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="map" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg">`, w*scale+20, h*scale+20)
	var draw func(g orb.Geometry)
	path := func(pts []orb.Point, closed bool) {
		if len(pts) == 0 {
			return
		}
		s.WriteString(`<path d="M`)
		for i, p := range pts {
			if i > 0 {
				s.WriteString(" L")
			}
			s.WriteString(at(p))
		}
		if closed {
			s.WriteString(` Z" class="area"/>`)
		} else {
			s.WriteString(`" class="line"/>`)
		}
	}
	draw = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			fmt.Fprintf(&s, `<circle cx="%s" cy="%s" r="3"/>`, strings.Fields(at(g))[0], strings.Fields(at(g))[1])
		case orb.MultiPoint:
			for _, p := range g {
				draw(p)
			}
		case orb.LineString:
			path(g, false)
		case orb.MultiLineString:
			for _, l := range g {
				path(l, false)
			}
		case orb.Polygon:
			for _, r := range g {
				path(r, true)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				draw(p)
			}
		}
	}
	for _, f := range features {
		draw(f.Geometry)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // numbers and fixed markup only
}
