package export

import (
	"fmt"
	"strconv"

	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// spatialRef is how a written file declares its CRS: the GeoPackage srs row (OGC WKT 1) and
// the Shapefile .prj (ESRI WKT 1, with the EPSG authority GDAL and our importer read back).
type spatialRef struct {
	epsg int
	name string
	wkt  string // OGC WKT 1, for gpkg_spatial_ref_sys
	prj  string // ESRI WKT 1, for .prj
}

const (
	ogcCGCS2000  = `GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]`
	ogcWGS84     = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]`
	esriCGCS2000 = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]`
	esriWGS84    = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]`
)

// spatialRefOf writes the WKT of c: WGS84, CGCS2000, the CGCS2000 Gauss–Krüger families
// 4491–4554 and the Xi'an 80 and Beijing 54 zones. A city's own system (no EPSG code) is
// refused rather than written under a datum it does not have. The WKT is written by hand because no
// pure-Go library carries PROJ's database; GDAL reads it back in the tests.
func spatialRefOf(c geo.CRS) (spatialRef, error) {
	if known, err := geo.EPSG(c.EPSG); c.EPSG == 0 || err != nil || known != c {
		return spatialRef{}, fmt.Errorf("export crs %s: %w: an export needs a system with an EPSG code (EPSG:4490, EPSG:4326, EPSG:4491…4554, a Xi'an 80 or Beijing 54 zone)", c, geo.ErrCRS)
	}
	auth := `,AUTHORITY["EPSG","` + strconv.Itoa(c.EPSG) + `"]]`
	switch {
	case c == geo.CGCS2000:
		return spatialRef{epsg: 4490, name: "China Geodetic Coordinate System 2000", wkt: ogcCGCS2000, prj: esriCGCS2000 + auth}, nil
	case c == geo.WGS84:
		return spatialRef{epsg: 4326, name: "WGS 84", wkt: ogcWGS84, prj: esriWGS84 + auth}, nil
	case c.EPSG >= 4491 && c.EPSG <= 4554:
		return gkRef(c, "CGCS2000 / "+gkName(c.EPSG), ogcCGCS2000, esriCGCS2000+`]`, auth), nil
	case c.Datum == geo.Xian80 || c.Datum == geo.Beijing54:
		// An older datum's zone, written as its EPSG code says. The coordinates are as the
		// importer reads such a file: projected on the datum's ellipsoid with no datum shift
		// (none is public: geo.CRS.Caveat), so an export re-imports exactly and the caller
		// tells the user so.
		geog := olderGeogCS[c.Datum.Name]
		name := geog.name + " / Gauss-Kruger CM " + strconv.FormatFloat(c.GK.CentralMeridian, 'f', -1, 64) + "E"
		if c.GK.FalseEasting > 1e6 {
			name = geog.name + " / Gauss-Kruger zone " + strconv.Itoa(int(c.GK.FalseEasting/1e6))
		}
		return gkRef(c, name, geog.ogc, geog.esri, auth), nil
	}
	return spatialRef{}, fmt.Errorf("export crs %s: %w: no WKT for it in package export yet", c, geo.ErrCRS)
}

// olderGeogCS are the geographic systems of the older datums' Gauss–Krüger zones, as OGC and
// ESRI WKT 1 (EPSG 4610 and 4214; no TOWGS84: see spatialRefOf).
var olderGeogCS = map[string]struct{ name, ogc, esri string }{
	geo.Xian80.Name: {"Xian 1980",
		`GEOGCS["Xian 1980",DATUM["Xian_1980",SPHEROID["IAG 1975",6378140,298.257,AUTHORITY["EPSG","7049"]],AUTHORITY["EPSG","6610"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4610"]]`,
		`GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`},
	geo.Beijing54.Name: {"Beijing 1954",
		`GEOGCS["Beijing 1954",DATUM["Beijing_1954",SPHEROID["Krassowsky 1940",6378245,298.3,AUTHORITY["EPSG","7024"]],AUTHORITY["EPSG","6214"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4214"]]`,
		`GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`},
}

// gkRef writes the WKT of a Gauss–Krüger zone c named name over the geographic systems ogc and
// esri (each a complete GEOGCS), ending with the EPSG authority auth.
func gkRef(c geo.CRS, name, ogc, esri, auth string) spatialRef {
	scale := c.GK.Scale
	if scale == 0 {
		scale = 1
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	params := fmt.Sprintf(`PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",%s],PARAMETER["central_meridian",%s],PARAMETER["scale_factor",%s],PARAMETER["false_easting",%s],PARAMETER["false_northing",%s]`,
		num(c.GK.LatitudeOfOrigin), num(c.GK.CentralMeridian), num(scale), num(c.GK.FalseEasting), num(c.GK.FalseNorthing))
	return spatialRef{epsg: c.EPSG, name: name,
		wkt: `PROJCS["` + name + `",` + ogc + `,` + params + `,UNIT["metre",1,AUTHORITY["EPSG","9001"]]` + auth,
		prj: `PROJCS["` + esriName(name) + `",` + esri + `,` + params + `,UNIT["Meter",1.0]` + auth,
	}
}

// gkName is the EPSG name of a CGCS2000 Gauss–Krüger code after "CGCS2000 / ".
func gkName(code int) string {
	switch {
	case code <= 4501:
		return "Gauss-Kruger zone " + strconv.Itoa(code-4491+13)
	case code <= 4512:
		return "Gauss-Kruger CM " + strconv.Itoa(75+6*(code-4502)) + "E"
	case code <= 4533:
		return "3-degree Gauss-Kruger zone " + strconv.Itoa(code-4513+25)
	}
	return "3-degree Gauss-Kruger CM " + strconv.Itoa(75+3*(code-4534)) + "E"
}

// esriName spells a name as ESRI does: spaces, '/' and '-' become '_'.
func esriName(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		switch c {
		case ' ', '/', '-':
			if len(out) > 0 && out[len(out)-1] == '_' {
				continue
			}
			c = '_'
		}
		out = append(out, c)
	}
	return string(out)
}

// project converts l's geometries from CGCS2000 lon/lat to c. Geometries are copied, so the
// dataset is never changed.
func (l *layer) project(c geo.CRS) {
	if c == geo.CGCS2000 || c == geo.WGS84 {
		return // the same datum within centimetres: geo treats them as one
	}
	f := func(p orb.Point) orb.Point { return geo.FromCGCS2000(p, c) }
	for i := range l.records {
		if g := l.records[i].geom; g != nil {
			l.records[i].geom = project.Geometry(orb.Clone(g), f)
		}
	}
}
