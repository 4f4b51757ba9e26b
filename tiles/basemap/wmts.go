package basemap

import (
	"encoding/xml"
	"fmt"
)

// WMTS names of the base map's layer, style and tile matrix set.
const (
	WMTSLayer  = "basemap"
	WMTSStyle  = "default"
	WMTSMatrix = "GoogleMapsCompatible"
)

// The GoogleMapsCompatible well-known scale set (OGC 07-057r7, annex E.4): Web Mercator,
// 256-pixel tiles, one tile at zoom 0.
const (
	scaleZoom0   = 559082264.0287178 // scale denominator at zoom 0 (0.28 mm pixels)
	mercatorHalf = 20037508.3427892
)

type capabilities struct {
	XMLName  xml.Name `xml:"Capabilities"`
	Xmlns    string   `xml:"xmlns,attr"`
	XmlnsOWS string   `xml:"xmlns:ows,attr"`
	XmlnsXL  string   `xml:"xmlns:xlink,attr"`
	Version  string   `xml:"version,attr"`
	Service  struct {
		Title       string `xml:"ows:Title"`
		Type        string `xml:"ows:ServiceType"`
		TypeVersion string `xml:"ows:ServiceTypeVersion"`
	} `xml:"ows:ServiceIdentification"`
	Layer    wmtsLayer `xml:"Contents>Layer"`
	Matrix   matrixSet `xml:"Contents>TileMatrixSet"`
	Metadata hrefLink  `xml:"ServiceMetadataURL"`
}

type hrefLink struct {
	Href string `xml:"xlink:href,attr"`
}

type wmtsLayer struct {
	Title string `xml:"ows:Title"`
	BBox  struct {
		Lower string `xml:"ows:LowerCorner"`
		Upper string `xml:"ows:UpperCorner"`
	} `xml:"ows:WGS84BoundingBox"`
	Identifier string `xml:"ows:Identifier"`
	Style      struct {
		Default    bool   `xml:"isDefault,attr"`
		Identifier string `xml:"ows:Identifier"`
	} `xml:"Style"`
	Format   string `xml:"Format"`
	Link     string `xml:"TileMatrixSetLink>TileMatrixSet"`
	Resource struct {
		Format   string `xml:"format,attr"`
		Type     string `xml:"resourceType,attr"`
		Template string `xml:"template,attr"`
	} `xml:"ResourceURL"`
}

type matrixSet struct {
	Identifier string       `xml:"ows:Identifier"`
	CRS        string       `xml:"ows:SupportedCRS"`
	WellKnown  string       `xml:"WellKnownScaleSet"`
	Matrices   []tileMatrix `xml:"TileMatrix"`
}

type tileMatrix struct {
	Identifier string  `xml:"ows:Identifier"`
	Scale      float64 `xml:"ScaleDenominator"`
	TopLeft    string  `xml:"TopLeftCorner"`
	Width      int     `xml:"TileWidth"`
	Height     int     `xml:"TileHeight"`
	Cols       int     `xml:"MatrixWidth"`
	Rows       int     `xml:"MatrixHeight"`
}

// Capabilities returns the WMTS 1.0.0 capabilities document (RESTful binding) of m: one layer
// in the GoogleMapsCompatible tile matrix set, zooms 0 to m.MaxZoom, its tiles at tileURL
// with {TileMatrix}, {TileCol} and {TileRow} in place of z, x and y; self is the document's
// own URL.
func (m *Map) Capabilities(tileURL, self string) ([]byte, error) {
	c := capabilities{Xmlns: "http://www.opengis.net/wmts/1.0", XmlnsOWS: "http://www.opengis.net/ows/1.1",
		XmlnsXL: "http://www.w3.org/1999/xlink", Version: "1.0.0"}
	c.Service.Title, c.Service.Type, c.Service.TypeVersion = "citygeo base map", "OGC WMTS", "1.0.0"
	l := &c.Layer
	l.Title, l.Identifier, l.Format, l.Link = m.Name, WMTSLayer, m.MediaType(), WMTSMatrix
	l.BBox.Lower = fmt.Sprintf("%.7f %.7f", m.Bounds[0], m.Bounds[1])
	l.BBox.Upper = fmt.Sprintf("%.7f %.7f", m.Bounds[2], m.Bounds[3])
	l.Style.Default, l.Style.Identifier = true, WMTSStyle
	l.Resource.Format, l.Resource.Type, l.Resource.Template = m.MediaType(), "tile", tileURL
	c.Matrix = matrixSet{Identifier: WMTSMatrix, CRS: "urn:ogc:def:crs:EPSG::3857", WellKnown: "urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"}
	for z := 0; z <= m.MaxZoom; z++ {
		n := 1 << z
		c.Matrix.Matrices = append(c.Matrix.Matrices, tileMatrix{Identifier: fmt.Sprint(z), Scale: scaleZoom0 / float64(n),
			TopLeft: fmt.Sprintf("%.7f %.7f", -mercatorHalf, mercatorHalf), Width: 256, Height: 256, Cols: n, Rows: n})
	}
	c.Metadata.Href = self
	b, err := xml.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
