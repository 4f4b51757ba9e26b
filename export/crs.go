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

// spatialRefOf writes the WKT of c. It knows the systems geo.ParseCRS named when this was
// written (WGS84, CGCS2000 and the CGCS2000 Gauss–Krüger families 4491–4554); a system added
// to geo later (a Xi'an 80 zone, a city's own) is refused here until its WKT is added, rather
// than written under a CGCS2000 datum it does not have. The WKT is written by hand because no
// pure-Go library carries PROJ's database; GDAL reads it back in the tests.
func spatialRefOf(c geo.CRS) (spatialRef, error) {
	if known, err := geo.EPSG(c.EPSG); c.EPSG == 0 || err != nil || known != c {
		return spatialRef{}, fmt.Errorf("export crs %s: %w: an export needs a system with an EPSG code (EPSG:4490, EPSG:4326, EPSG:4491…4554)", c, geo.ErrCRS)
	}
	auth := `,AUTHORITY["EPSG","` + strconv.Itoa(c.EPSG) + `"]]`
	switch {
	case c == geo.CGCS2000:
		return spatialRef{epsg: 4490, name: "China Geodetic Coordinate System 2000", wkt: ogcCGCS2000, prj: esriCGCS2000 + auth}, nil
	case c == geo.WGS84:
		return spatialRef{epsg: 4326, name: "WGS 84", wkt: ogcWGS84, prj: esriWGS84 + auth}, nil
	case c.EPSG >= 4491 && c.EPSG <= 4554:
		name := "CGCS2000 / " + gkName(c.EPSG)
		params := fmt.Sprintf(`PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",%s],PARAMETER["scale_factor",1],PARAMETER["false_easting",%s],PARAMETER["false_northing",0]`,
			strconv.FormatFloat(c.GK.CentralMeridian, 'f', -1, 64), strconv.FormatFloat(c.GK.FalseEasting, 'f', -1, 64))
		return spatialRef{epsg: c.EPSG, name: name,
			wkt: `PROJCS["` + name + `",` + ogcCGCS2000 + `,` + params + `,UNIT["metre",1,AUTHORITY["EPSG","9001"]]` + auth,
			prj: `PROJCS["` + esriName(name) + `",` + esriCGCS2000 + `],` + params + `,UNIT["Meter",1.0]` + auth,
		}, nil
	}
	return spatialRef{}, fmt.Errorf("export crs %s: %w: no WKT for it in package export yet", c, geo.ErrCRS)
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
