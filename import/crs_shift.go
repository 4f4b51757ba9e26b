package importer

import "github.com/paulmach/orb"

// shiftToCGCS2000 undoes the GCJ-02/BD-09 offsets of web-map coordinates. Until package geo's
// ToCGCS2000 is on main, ParseCRS refuses gcj02 and bd09 (see supportsShift), so only
// WGS84/CGCS2000 reach here.
func shiftToCGCS2000(p orb.Point, lonlat string) orb.Point { return p }

// supportsShift reports whether lon/lat system s can be converted.
func supportsShift(s string) bool { return s == "wgs84" || s == "cgcs2000" || s == "" }
