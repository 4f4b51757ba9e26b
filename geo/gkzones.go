package geo

// gkFamily is a run of consecutive EPSG codes for the Gauss–Krüger zones of one datum: 6° or
// 3° wide, with the zone number in front of the false easting (prefix) or not.
type gkFamily struct {
	first, last int
	datum       Datum
	degrees     int  // zone width: 6 or 3
	prefix      bool // false easting zone×10⁶+500000, else 500000
	firstZone   int  // zone number of first: 13 for 6° zones (CM 75°E), 25 for 3° zones (CM 75°E)
}

// gkFamilies lists the EPSG Gauss–Krüger families China's surveys use (checked against PROJ's
// database, see TestGaussKrugerFamiliesAgainstPROJ). 6° families come first.
var gkFamilies = []gkFamily{
	{4491, 4501, CGCS2000Datum, 6, true, 13},
	{4502, 4512, CGCS2000Datum, 6, false, 13},
	{2327, 2337, Xian80, 6, true, 13},
	{2338, 2348, Xian80, 6, false, 13},
	{21413, 21423, Beijing54, 6, true, 13},
	{21453, 21463, Beijing54, 6, false, 13},
	{4513, 4533, CGCS2000Datum, 3, true, 25},
	{4534, 4554, CGCS2000Datum, 3, false, 25},
	{2349, 2369, Xian80, 3, true, 25},
	{2370, 2390, Xian80, 3, false, 25},
	{2401, 2421, Beijing54, 3, true, 25},
	{2422, 2442, Beijing54, 3, false, 25},
}

func (f gkFamily) zone(code int) GaussKruger {
	zone := f.firstZone + code - f.first
	g := GaussKruger{EPSG: code, CentralMeridian: float64(zone * f.degrees), FalseEasting: 500000, Ellipsoid: f.datum.Ellipsoid}
	if f.degrees == 6 {
		g.CentralMeridian -= 3
	}
	if f.prefix {
		g.FalseEasting += float64(zone) * 1e6
	}
	if g.Ellipsoid == CGCS2000Ellipsoid {
		g.Ellipsoid = Ellipsoid{} // the zero value, as the CGCS2000 zones have always been built
	}
	return g
}

// ZoneWidth returns the width in degrees (3 or 6) of the EPSG Gauss–Krüger zone code, 0 when
// code is none.
func ZoneWidth(code int) int {
	for _, f := range gkFamilies {
		if code >= f.first && code <= f.last {
			return f.degrees
		}
	}
	return 0
}

// datumOfEPSG returns the datum of an EPSG Gauss–Krüger code.
func datumOfEPSG(code int) Datum {
	for _, f := range gkFamilies {
		if code >= f.first && code <= f.last {
			return f.datum
		}
	}
	return CGCS2000Datum
}
