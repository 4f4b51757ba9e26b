package basemap_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"citygeo/tiles/basemap"
	"citygeo/tiles/basemap/basemaptest"

	"github.com/paulmach/orb"
)

var shenzhen = orb.Bound{Min: orb.Point{114.0, 22.5}, Max: orb.Point{114.2, 22.6}}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	type writer func(testing.TB, string, basemaptest.Options)
	tests := []struct {
		name   string
		write  writer
		format basemap.Format
	}{
		{"raster.mbtiles", basemaptest.MBTiles, basemap.PNG},
		{"vector.mbtiles", basemaptest.MBTiles, basemap.PBF},
		{"raster.pmtiles", basemaptest.PMTiles, basemap.PNG},
		{"vector.pmtiles", basemaptest.PMTiles, basemap.PBF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			o := basemaptest.Options{Format: tc.format, Bound: shenzhen, MinZoom: 2, MaxZoom: 9}
			tc.write(t, path, o)
			m, err := basemap.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if m.Format != tc.format || m.MinZoom != 2 || m.MaxZoom != 9 || m.Raster() != (tc.format == basemap.PNG) {
				t.Errorf("opened as %s z%d–%d", m.Format, m.MinZoom, m.MaxZoom)
			}
			if math.Abs(m.Bounds[0]-114) > 1e-6 || math.Abs(m.Bounds[3]-22.6) > 1e-6 {
				t.Errorf("bounds %v", m.Bounds)
			}
			ctx := context.Background()
			for _, tl := range o.Tiles() {
				b, err := m.Tile(ctx, int(tl.Z), int(tl.X), int(tl.Y))
				if err != nil || !bytes.Equal(b, basemaptest.Tile(t, tc.format, tl)) {
					t.Fatalf("tile %v: %d bytes, %v; want the tile written (rows flipped back from TMS)", tl, len(b), err)
				}
				if (tc.format == basemap.PBF) != basemap.Gzipped(b) {
					t.Errorf("tile %v gzipped = %v", tl, basemap.Gzipped(b))
				}
			}
			for _, zxy := range [][3]int{{1, 0, 0}, {10, 0, 0}, {9, 0, 0}, {9, 512, 0}, {9, -1, 3}, {40, 0, 0}} {
				if _, err := m.Tile(ctx, zxy[0], zxy[1], zxy[2]); !errors.Is(err, basemap.ErrNoTile) {
					t.Errorf("tile %v: %v, want ErrNoTile", zxy, err)
				}
			}
			tj := m.TileJSON("http://h/basemap/{z}/{x}/{y}")
			if tj.Tiles[0] != "http://h/basemap/{z}/{x}/{y}" || tj.Format != tc.format {
				t.Errorf("tilejson %+v", tj)
			}
			if ids := strings.Join(m.LayerIDs(), ","); (tc.format == basemap.PBF) != (ids == "water,building") {
				t.Errorf("vector layers %q", ids)
			}
		})
	}
	junk := filepath.Join(dir, "junk.mbtiles")
	os.WriteFile(junk, []byte("not an archive at all"), 0o644)
	if _, err := basemap.Open(junk); !errors.Is(err, basemap.ErrFormat) {
		t.Errorf("junk: %v, want ErrFormat", err)
	}
}

// The capabilities document has the structure of WMTS 1.0.0 (OGC 07-057r7): namespaces, one
// layer with its style, format, matrix set link and RESTful resource URL, and the
// GoogleMapsCompatible matrices with their scales.
func TestCapabilities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.mbtiles")
	basemaptest.MBTiles(t, path, basemaptest.Options{Format: basemap.PNG, Bound: shenzhen, MaxZoom: 5})
	m, err := basemap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	doc, err := m.Capabilities("http://h/basemap/{TileMatrix}/{TileCol}/{TileRow}", "http://h/wmts/1.0.0/WMTSCapabilities.xml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		XMLName xml.Name `xml:"http://www.opengis.net/wmts/1.0 Capabilities"`
		Version string   `xml:"version,attr"`
		Service struct {
			Type string `xml:"http://www.opengis.net/ows/1.1 ServiceType"`
		} `xml:"http://www.opengis.net/ows/1.1 ServiceIdentification"`
		Layer struct {
			ID     string `xml:"http://www.opengis.net/ows/1.1 Identifier"`
			Lower  string `xml:"http://www.opengis.net/ows/1.1 WGS84BoundingBox>LowerCorner"`
			Style  string `xml:"Style>Identifier"`
			Format string `xml:"Format"`
			Link   string `xml:"TileMatrixSetLink>TileMatrixSet"`
			URL    struct {
				Template string `xml:"template,attr"`
				Type     string `xml:"resourceType,attr"`
			} `xml:"ResourceURL"`
		} `xml:"Contents>Layer"`
		Set struct {
			ID       string `xml:"http://www.opengis.net/ows/1.1 Identifier"`
			CRS      string `xml:"http://www.opengis.net/ows/1.1 SupportedCRS"`
			Matrices []struct {
				ID    string  `xml:"http://www.opengis.net/ows/1.1 Identifier"`
				Scale float64 `xml:"ScaleDenominator"`
				Width int     `xml:"MatrixWidth"`
			} `xml:"TileMatrix"`
		} `xml:"Contents>TileMatrixSet"`
	}
	if err := xml.Unmarshal(doc, &c); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	if c.Version != "1.0.0" || c.Service.Type != "OGC WMTS" || c.Layer.ID != "basemap" || c.Layer.Style != "default" ||
		c.Layer.Format != "image/png" || c.Layer.Link != c.Set.ID || c.Set.ID != "GoogleMapsCompatible" ||
		c.Set.CRS != "urn:ogc:def:crs:EPSG::3857" || c.Layer.URL.Type != "tile" || !strings.Contains(c.Layer.URL.Template, "{TileMatrix}/{TileCol}/{TileRow}") ||
		!strings.HasPrefix(c.Layer.Lower, "114.0000000 22.5") {
		t.Errorf("capabilities %+v\n%s", c, doc)
	}
	if len(c.Set.Matrices) != 6 {
		t.Fatalf("%d tile matrices, want zooms 0–5", len(c.Set.Matrices))
	}
	for z, tm := range c.Set.Matrices {
		// GoogleMapsCompatible: 559082264.0287178 at zoom 0, halved per zoom.
		if tm.ID != strconv.Itoa(z) || tm.Width != 1<<z || math.Abs(tm.Scale*float64(int(1)<<z)-559082264.0287178) > 1e-3 {
			t.Errorf("matrix %d = %+v", z, tm)
		}
	}
}
