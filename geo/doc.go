// Package geo is citygeo's geometry core: the one coordinate-system model (CRS, read by
// ParseCRS: CGCS2000/WGS84, GCJ-02, BD-09, the Gauss–Krüger zones of CGCS2000, Xi'an 80 and
// Beijing 54, and city systems from parameters through Local), the guess of a wrongly declared
// CRS, the repair of self-crossing polygons (MakeValid), the local metre plane, distance, bearing and direction on the sphere, prepared
// point-in-polygon, and the immutable spatial index over a data.Dataset that answers locate
// (point → grid → community → street → district), nearest component of a class, and box
// queries.
//
// It knows nothing of HTTP or file formats; projected (Gauss–Krüger) survey data is converted
// on import, so every stored geometry here is longitude/latitude in degrees.
package geo
