package geo_test

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

func TestGaussKrugerEPSG(t *testing.T) {
	// Parameters as published for these codes (standards.md §6, epsg.io).
	tests := []struct {
		code   int
		cm, fe float64
	}{
		{4491, 75, 13500000},
		{4501, 135, 23500000},
		{4502, 75, 500000},
		{4512, 135, 500000},
		{4513, 75, 25500000},
		{4522, 102, 34500000},
		{4527, 117, 39500000},
		{4533, 135, 45500000},
		{4534, 75, 500000},
		{4543, 102, 500000},
		{4545, 108, 500000},
		{4548, 117, 500000},
		{4549, 120, 500000},
		{4550, 123, 500000},
		{4551, 126, 500000},
		{4554, 135, 500000},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			g, ok := geo.GaussKrugerEPSG(tt.code)
			if !ok {
				t.Fatalf("EPSG:%d not recognised", tt.code)
			}
			if g.CentralMeridian != tt.cm || g.FalseEasting != tt.fe {
				t.Errorf("EPSG:%d = CM %g FE %g, want CM %g FE %g", tt.code, g.CentralMeridian, g.FalseEasting, tt.cm, tt.fe)
			}
		})
	}
	for _, code := range []int{4326, 4490, 4490 + 1000, 4555, 4490 - 1} {
		if _, ok := geo.GaussKrugerEPSG(code); ok {
			t.Errorf("EPSG:%d accepted as Gauss–Krüger", code)
		}
	}
}

func TestGaussKrugerFor(t *testing.T) {
	g, err := geo.GaussKrugerFor(120, 40500000)
	if err != nil || g.EPSG != 4528 {
		t.Errorf("GaussKrugerFor(120, 40500000) = %d, %v; want 4528", g.EPSG, err)
	}
	g, err = geo.GaussKrugerFor(123, 500000)
	if err != nil || g.EPSG != 4550 {
		t.Errorf("GaussKrugerFor(123, 500000) = %d, %v; want 4550", g.EPSG, err)
	}
	if _, err := geo.GaussKrugerFor(121.5, 500000); err == nil {
		t.Error("GaussKrugerFor(121.5, …) found a zone")
	}
}

func TestGaussKrugerRoundTrip(t *testing.T) {
	for _, code := range []int{4495, 4509, 4528, 4549} {
		g, _ := geo.GaussKrugerEPSG(code)
		for dlon := -1.5; dlon <= 1.5; dlon += 0.25 {
			for lat := 18.0; lat <= 53; lat += 5 {
				p := orb.Point{g.CentralMeridian + dlon, lat}
				back := g.Inverse(g.Forward(p))
				if d := math.Hypot(back[0]-p[0], back[1]-p[1]); d > 1e-9 {
					t.Errorf("EPSG:%d %v → %v: off by %g°", code, p, back, d)
				}
			}
		}
	}
}

// TestGaussKrugerAgainstPROJ compares both directions with PROJ's cs2cs on a grid of points
// across each zone; it skips when cs2cs (Debian proj-bin) is not installed.
func TestGaussKrugerAgainstPROJ(t *testing.T) {
	if _, err := exec.LookPath("cs2cs"); err != nil {
		t.Skip("cs2cs not installed (apt-get install proj-bin)")
	}
	const tol = 0.01 // metres
	for _, code := range []int{4491, 4497, 4506, 4513, 4521, 4528, 4534, 4543, 4549, 4550, 4554} {
		g, _ := geo.GaussKrugerEPSG(code)
		var pts []orb.Point
		width := 1.5
		if code < 4513 {
			width = 3
		}
		for dlon := -width; dlon <= width; dlon += width / 4 {
			for lat := 16.0; lat <= 54; lat += 4.75 {
				pts = append(pts, orb.Point{g.CentralMeridian + dlon, lat})
			}
		}
		// EPSG:4490 and the GK codes are both latitude/northing first in PROJ.
		var in bytes.Buffer
		for _, p := range pts {
			fmt.Fprintf(&in, "%.10f %.10f\n", p[1], p[0])
		}
		want := cs2cs(t, in.Bytes(), "EPSG:4490", fmt.Sprintf("EPSG:%d", code))
		var inv bytes.Buffer
		for i, p := range pts {
			got := g.Forward(p)
			if d := math.Hypot(got[0]-want[i][1], got[1]-want[i][0]); d > tol {
				t.Errorf("EPSG:%d forward %v = %v, PROJ E %.4f N %.4f (%.4f m)", code, p, got, want[i][1], want[i][0], d)
			}
			fmt.Fprintf(&inv, "%.4f %.4f\n", want[i][0], want[i][1])
		}
		back := cs2cs(t, inv.Bytes(), fmt.Sprintf("EPSG:%d", code), "EPSG:4490")
		for i := range pts {
			ll := g.Inverse(orb.Point{want[i][1], want[i][0]})
			// Compare in metres at the point's latitude.
			kx, ky := geo.MetresPerDegree(ll[1])
			dy := (ll[1] - back[i][0]) * ky
			dx := (ll[0] - back[i][1]) * kx
			if d := math.Hypot(dx, dy); d > tol {
				t.Errorf("EPSG:%d inverse of %v = %v, PROJ %v (%.4f m)", code, want[i], ll, back[i], d)
			}
		}
	}
}

func cs2cs(t *testing.T, in []byte, from, to string) [][2]float64 {
	t.Helper()
	cmd := exec.Command("cs2cs", "-f", "%.10f", from, to)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs %s %s: %v", from, to, err)
	}
	var res [][2]float64
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("cs2cs output %q", line)
		}
		a, err1 := strconv.ParseFloat(f[0], 64)
		b, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs output %q", line)
		}
		res = append(res, [2]float64{a, b})
	}
	return res
}
