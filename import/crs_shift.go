package importer

import (
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// shiftToCGCS2000 undoes the GCJ-02/BD-09 offsets of web-map coordinates (package geo iterates
// the forward formula, so the inverse is exact well below a millimetre).
func shiftToCGCS2000(p orb.Point, lonlat string) orb.Point {
	return geo.ToCGCS2000(p, geo.CRS(lonlat))
}

// supportsShift reports whether lon/lat system s can be converted.
func supportsShift(s string) bool {
	_, err := geo.ParseCRS(s)
	return err == nil
}
