// Package geo is citygeo's geometry core: coordinate systems (CGCS2000/WGS84, GCJ-02, BD-09),
// distance, bearing and direction on the sphere, prepared point-in-polygon, and the immutable
// spatial index over a data.Dataset that answers locate (point → grid → community → street →
// district), nearest component of a class, and box queries.
//
// It knows nothing of HTTP or file formats; projected (Gauss–Krüger) survey data is converted
// on import, so every geometry here is longitude/latitude in degrees.
package geo
