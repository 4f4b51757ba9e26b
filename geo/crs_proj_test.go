package geo_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// controlPoints is the number of generated points each CRS is checked at against PROJ.
const controlPoints = 1000

// TestOldDatumZonesAgainstPROJ checks every Xi'an 1980 and Beijing 1954 Gauss–Krüger code
// (3° and 6° zones, with and without the zone prefix) at 1,000 points against cs2cs, one call
// per code: the projection forward within 1 cm of PROJ, and our inverse of PROJ's grid
// coordinates back to the generated lon/lat within 1 cm. Both are on the datum's own
// ellipsoid: no datum shift is involved (citygeo applies none for these codes: Unshifted).
func TestOldDatumZonesAgainstPROJ(t *testing.T) {
	needTool(t, "cs2cs")
	ranges := []struct {
		geog        string
		first, last int
	}{
		{"EPSG:4610", 2327, 2390}, // Xi'an 1980
		{"EPSG:4214", 2401, 2442}, // Beijing 1954
		{"EPSG:4214", 21413, 21423},
		{"EPSG:4214", 21453, 21463},
	}
	worst := map[string]float64{}
	for _, r := range ranges {
		for code := r.first; code <= r.last; code++ {
			c, err := geo.EPSG(code)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Unshifted() || c.Caveat() == "" {
				t.Errorf("EPSG:%d: Unshifted() = false; no public shift is applied, so it must say so", code)
			}
			pts := zonePoints(code, c.GK.CentralMeridian, float64(geo.ZoneWidth(code))/2)
			var in bytes.Buffer
			for _, p := range pts {
				fmt.Fprintf(&in, "%.10f %.10f\n", p[1], p[0]) // geographic EPSG axes: lat, lon
			}
			got := runPROJ(t, in.Bytes(), "cs2cs", "-f", "%.6f", r.geog, "EPSG:"+strconv.Itoa(code)) // out: N, E
			fwd, inv := 0.0, 0.0
			for i, p := range pts {
				proj := orb.Point{got[i][1], got[i][0]}
				fwd = math.Max(fwd, planeDist(c.GK.Forward(p), proj))
				inv = math.Max(inv, groundDist(geo.ToCGCS2000(proj, c), p))
			}
			key := c.Datum.Name + " " + familyName(code)
			worst[key] = math.Max(worst[key], math.Max(fwd, inv))
			if fwd > 0.01 || inv > 0.01 {
				t.Errorf("EPSG:%d: worst forward %.4f m, inverse %.4f m from PROJ (want ≤ 0.01)", code, fwd, inv)
			}
		}
	}
	for k, v := range worst {
		t.Logf("%s: max %.2g m from PROJ over %d points per code", k, v, controlPoints)
	}
}

// TestLocalCRSAgainstPROJ checks city systems built from parameters against PROJ at 1,000
// points each: a transverse Mercator with an origin latitude, a scale and a 7-parameter shift
// (both conventions) against cs2cs with +towgs84, and a 4-parameter plane transform onto a
// CGCS2000 zone against cct with PROJ's affine step (cs2cs cannot express a plane transform).
func TestLocalCRSAgainstPROJ(t *testing.T) {
	helmert := &geo.HelmertDef{DX: 15.8, DY: -154.4, DZ: -82.3, RX: 1.1, RY: -2.2, RZ: 0.814, PPM: -0.38}
	cf := *helmert
	cf.RX, cf.RY, cf.RZ, cf.Convention = -cf.RX, -cf.RY, -cf.RZ, "coordinate_frame"
	tm := &geo.TMDef{CentralMeridian: 114.3, LatitudeOfOrigin: 22, Scale: 1.0001, FalseEasting: 50000, FalseNorthing: 10000, Ellipsoid: "beijing54"}
	const towgs84 = "+towgs84=15.8,-154.4,-82.3,1.1,-2.2,0.814,-0.38"
	tests := []struct {
		name string
		def  geo.LocalDef
		tool string
		args []string
	}{
		{"tm+helmert position vector", geo.LocalDef{Name: "pv", Projection: tm, Helmert: helmert}, "cs2cs",
			strings.Fields("-f %.6f +proj=longlat +datum=WGS84 +to +proj=tmerc +lat_0=22 +lon_0=114.3 +k=1.0001 +x_0=50000 +y_0=10000 +ellps=krass " + towgs84)},
		{"tm+helmert coordinate frame", geo.LocalDef{Name: "cf", Projection: tm, Helmert: &cf}, "cs2cs",
			strings.Fields("-f %.6f +proj=longlat +datum=WGS84 +to +proj=tmerc +lat_0=22 +lon_0=114.3 +k=1.0001 +x_0=50000 +y_0=10000 +ellps=krass " + towgs84)},
		{"base zone+helmert", geo.LocalDef{Name: "xian", Base: "EPSG:2383", Helmert: &geo.HelmertDef{DX: -20, DY: 80, DZ: 40, RZ: 1.5, PPM: 2}}, "cs2cs",
			strings.Fields("-f %.6f +proj=longlat +datum=WGS84 +to +proj=tmerc +lon_0=114 +x_0=500000 +ellps=IAU76 +towgs84=-20,80,40,0,0,1.5,2")},
		{"plane on CGCS2000 zone", geo.LocalDef{Name: "plane", Base: "EPSG:4547", Plane: &geo.PlaneDef{DE: 391234.5, DN: 2480011.25, Rotation: 1234.5, PPM: 35}}, "cct",
			append(strings.Fields("-d 6 +proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc +lon_0=114 +x_0=500000 +ellps=GRS80 +step +inv +proj=affine +xoff=391234.5 +yoff=2480011.25"),
				affine(1234.5, 35)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			needTool(t, tc.tool)
			c, err := geo.Local(tc.def)
			if err != nil {
				t.Fatal(err)
			}
			if c.Unshifted() {
				t.Errorf("%s: Unshifted with parameters given", tc.name)
			}
			pts := zonePoints(1, 114.3, 0.5)
			var in bytes.Buffer
			for _, p := range pts {
				fmt.Fprintf(&in, "%.10f %.10f 0 0\n", p[0], p[1])
			}
			got := runPROJ(t, in.Bytes(), tc.tool, tc.args...)
			fwd, inv := 0.0, 0.0
			for i, p := range pts {
				fwd = math.Max(fwd, planeDist(geo.FromCGCS2000(p, c), got[i]))
				inv = math.Max(inv, groundDist(geo.ToCGCS2000(got[i], c), p))
			}
			t.Logf("%s: max forward %.2g m, inverse %.2g m from PROJ over %d points", tc.name, fwd, inv, len(pts))
			if fwd > 0.01 || inv > 0.01 {
				t.Errorf("worst forward %.4f m, inverse %.4f m from PROJ (want ≤ 0.01)", fwd, inv)
			}
		})
	}
}

func affine(arcsec, ppm float64) []string {
	th := arcsec * math.Pi / (180 * 3600)
	k := 1 + ppm*1e-6
	s, c := math.Sincos(th)
	return []string{fmt.Sprintf("+s11=%.15g", k*c), fmt.Sprintf("+s12=%.15g", -k*s), fmt.Sprintf("+s21=%.15g", k*s), fmt.Sprintf("+s22=%.15g", k*c)}
}

// zonePoints generates controlPoints lon/lat points within half degrees of cm, from 18°N to
// 53°N, the same for the same seed.
func zonePoints(seed int, cm, half float64) []orb.Point {
	r := rand.New(rand.NewPCG(uint64(seed), 14))
	pts := make([]orb.Point, controlPoints)
	for i := range pts {
		pts[i] = orb.Point{cm + (2*r.Float64()-1)*half, 18 + 35*r.Float64()}
	}
	return pts
}

func familyName(code int) string {
	g, _ := geo.GaussKrugerEPSG(code)
	prefix := "no prefix"
	if g.FalseEasting > 1e6 {
		prefix = "zone prefix"
	}
	return fmt.Sprintf("%d° %s", geo.ZoneWidth(code), prefix)
}

func planeDist(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// groundDist is the distance in metres between two nearby lon/lat points.
func groundDist(a, b orb.Point) float64 {
	kx, ky := geo.MetresPerDegree(b[1])
	return math.Hypot((a[0]-b[0])*kx, (a[1]-b[1])*ky)
}

func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not installed (apt-get install proj-bin)", tool)
	}
}

// runPROJ runs a PROJ tool once over stdin and reads the first two numbers of each line.
func runPROJ(t *testing.T, in []byte, tool string, args ...string) []orb.Point {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v", tool, strings.Join(args, " "), err)
	}
	var res []orb.Point
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("%s output %q", tool, line)
		}
		a, err1 := strconv.ParseFloat(f[0], 64)
		b, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s output %q", tool, line)
		}
		res = append(res, orb.Point{a, b})
	}
	if len(res) != bytes.Count(in, []byte("\n")) {
		t.Fatalf("%s: %d lines out for %d in", tool, len(res), bytes.Count(in, []byte("\n")))
	}
	return res
}
