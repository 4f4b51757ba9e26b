package geo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// CRS names a geographic coordinate system a client may speak.
type CRS string

// The coordinate systems every API accepts and returns. CGCS2000 and WGS84 differ by a few
// centimetres at most, far below survey accuracy, so they are treated as the same datum.
const (
	WGS84    CRS = "wgs84"
	CGCS2000 CRS = "cgcs2000"
	GCJ02    CRS = "gcj02" // 国测局 "Mars" coordinates of AMap, Tencent, Google China
	BD09     CRS = "bd09"  // Baidu's further-obfuscated GCJ-02
)

// ParseCRS reads a CRS name, case-insensitively: wgs84, cgcs2000, gcj02, bd09, EPSG:4326
// (WGS84) and EPSG:4490 (CGCS2000). The empty string means WGS84, the GPS default.
func ParseCRS(s string) (CRS, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "wgs84", "epsg:4326":
		return WGS84, nil
	case "cgcs2000", "epsg:4490":
		return CGCS2000, nil
	case "gcj02":
		return GCJ02, nil
	case "bd09":
		return BD09, nil
	}
	return "", fmt.Errorf("crs %q: want one of wgs84, cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490", s)
}

// ToCGCS2000 converts a lon/lat point in c to CGCS2000, the CRS everything is stored in.
// An unknown CRS is treated as CGCS2000 (ParseCRS rejects it earlier).
func ToCGCS2000(p orb.Point, c CRS) orb.Point {
	switch c {
	case GCJ02:
		return GCJ02ToWGS84(p)
	case BD09:
		return BD09ToWGS84(p)
	}
	return p
}

// FromCGCS2000 converts a stored CGCS2000 lon/lat point to c.
func FromCGCS2000(p orb.Point, c CRS) orb.Point {
	switch c {
	case GCJ02:
		return WGS84ToGCJ02(p)
	case BD09:
		return WGS84ToBD09(p)
	}
	return p
}

// BoundToCGCS2000 converts a lon/lat box in c to the CGCS2000 box covering it: all four
// corners are converted, because the GCJ-02 and BD-09 offsets vary across the box, so the
// converted Min and Max alone need not be the new box's corners.
func BoundToCGCS2000(b orb.Bound, c CRS) orb.Bound {
	return convertBound(b, func(p orb.Point) orb.Point { return ToCGCS2000(p, c) }, c)
}

// BoundFromCGCS2000 converts a stored CGCS2000 box to the box in c covering it (all four
// corners, as BoundToCGCS2000).
func BoundFromCGCS2000(b orb.Bound, c CRS) orb.Bound {
	return convertBound(b, func(p orb.Point) orb.Point { return FromCGCS2000(p, c) }, c)
}

func convertBound(b orb.Bound, f func(orb.Point) orb.Point, c CRS) orb.Bound {
	if c != GCJ02 && c != BD09 {
		return b
	}
	out := f(b.Min).Bound()
	for _, p := range []orb.Point{b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		out = out.Extend(f(p))
	}
	return out
}
