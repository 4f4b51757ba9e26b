package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// China is the lon/lat box of China's land and seas (EPSG's area of use of CGCS2000, rounded
// out): coordinates of a city survey outside it were read in the wrong CRS.
var China = orb.Bound{Min: orb.Point{73, 3}, Max: orb.Point{136, 54}}

// zoneSlack is how far past its zone's edge a Gauss–Krüger survey may reach: a city straddling
// a zone edge keeps one zone for all its sheets.
const zoneSlack = 1.0

// AreaOfUse returns the CGCS2000 lon/lat box where coordinates in c belong: China for the
// lon/lat systems, the zone (widened by a degree each side) within China for a Gauss–Krüger
// zone, 3° either side of a city system's central meridian.
func AreaOfUse(c CRS) orb.Bound {
	if !c.Projected() || c.Mercator {
		return China
	}
	half := 3.0 // a 6° zone, or a city system
	if w := ZoneWidth(c.GK.EPSG); w == 3 {
		half = 1.5
	}
	if c.Name == "" {
		half += zoneSlack
	}
	cm := c.GK.CentralMeridian
	return orb.Bound{Min: orb.Point{math.Max(China.Min[0], cm-half), China.Min[1]}, Max: orb.Point{math.Min(China.Max[0], cm+half), China.Max[1]}}
}

// Guess is a CRS that raw coordinates were probably given in, with the reason.
type Guess struct {
	CRS CRS
	Why string
}

// GuessCRS lists the systems raw coordinates p (as read from a file, {x, y}) are probably in,
// most likely first: lon/lat (EPSG:4490), lat/lon swapped, a Gauss–Krüger zone with its number
// in the easting, a zone without it (chosen by near, the box the rest of the dataset covers,
// when given; the zone cannot be told from such coordinates alone), Web Mercator. A guess whose
// conversion lands inside near comes first. It knows nothing of GCJ-02 or BD-09, which shift
// lon/lat by a few hundred metres only: Why says so for lon/lat.
func GuessCRS(p orb.Point, near orb.Bound) []Guess {
	var out []Guess
	add := func(c CRS, why string) {
		if ll := ToCGCS2000(p, c); China.Contains(ll) && !math.IsNaN(ll[0]) {
			out = append(out, Guess{c, why})
		}
	}
	x, y := p[0], p[1]
	switch {
	case China.Contains(p):
		add(CGCS2000, "the values are longitude/latitude degrees in China (if they were taken from AMap or Tencent maps say gcj02, from Baidu bd09)")
	case China.Contains(orb.Point{y, x}):
		out = append(out, Guess{CGCS2000, "the values are latitude/longitude degrees in China, in swapped order (swap the columns, then EPSG:4490)"})
	}
	if zone := int(x / 1e6); x >= 13e6 && x < 46e6 {
		code := 0
		switch {
		case zone >= 13 && zone <= 23:
			code = 4491 + zone - 13
		case zone >= 25 && zone <= 45:
			code = 4513 + zone - 25
		}
		if code != 0 {
			c, _ := EPSG(code)
			add(c, fmt.Sprintf("the easting starts with zone number %d (Gauss–Krüger with the zone prefix; for an older survey the Xi'an 80 or Beijing 54 zone of that number)", zone))
		}
	}
	if x > 1e5 && x < 9e5 && y > 3e5 && y < 6.1e6 {
		why := "the values are Gauss–Krüger metres without the zone number; the zone cannot be told from them alone"
		if known(near) {
			// The 3° zone whose central meridian is nearest the rest of the dataset.
			code := 4534 + int(math.Round((near.Center()[0]-75)/3))
			if c, err := EPSG(code); err == nil {
				add(c, "the values are Gauss–Krüger metres without the zone number, and this zone puts them beside the rest of the dataset")
			}
		} else {
			out = append(out, Guess{CRS{}, why})
		}
	}
	if x > 8.1e6 && x < 1.52e7 && y > 3.3e5 && y < 7.2e6 {
		add(WebMercator, "the values look like Web Mercator metres (EPSG:3857, from a web map; reproject to EPSG:4490 first, e.g. ogr2ogr -t_srs EPSG:4490)")
	}
	if known(near) {
		pad := near.Pad(0.1)
		in, rest := out[:0:0], []Guess{}
		for _, g := range out {
			if g.CRS != (CRS{}) && pad.Contains(ToCGCS2000(p, g.CRS)) {
				in = append(in, g)
			} else {
				rest = append(rest, g)
			}
		}
		out = append(in, rest...)
	}
	return out
}

// known reports whether b is a box given by a caller: the zero Bound means none (orb counts a
// zero-area box as not empty).
func known(b orb.Bound) bool { return b != (orb.Bound{}) && !b.IsEmpty() }

// Explain is one sentence naming the likeliest CRS of raw coordinates p, for error messages;
// "" when nothing fits.
func Explain(p orb.Point, near orb.Bound) string {
	gs := GuessCRS(p, near)
	if len(gs) == 0 {
		return ""
	}
	g := gs[0]
	if g.CRS == (CRS{}) {
		return "probably " + g.Why
	}
	s := fmt.Sprintf("probably %s: %s", g.CRS.Code(), g.Why)
	if len(gs) > 1 && gs[1].CRS != (CRS{}) && gs[1].CRS != g.CRS {
		s += fmt.Sprintf("; else %s", gs[1].CRS.Code())
	}
	return s
}
