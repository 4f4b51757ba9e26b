package importer_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	importer "citygeo/import"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// TestRepairBowTieGrids imports three grid cells of about 100 m: one sound, one whose corner was
// digitised with two vertices swapped (a small bow-tie at the corner), one with two whole sides
// swapped (a bow-tie of two equal triangles). With --repair the first bow-tie is repaired and
// reported with its id and its area before and after; the second would become two polygons, so
// it stays an error with the reason given. Without --repair both are errors.
func TestRepairBowTieGrids(t *testing.T) {
	x, y := 114.1, 22.55
	const dx, dy = 0.001, 0.0009
	cell := func(i int) orb.Ring {
		x0 := x + float64(i)*dx
		return orb.Ring{{x0, y}, {x0 + dx, y}, {x0 + dx, y + dy}, {x0, y + dy}, {x0, y}}
	}
	sound := cell(0)
	// The second cell with its north-east corner cut off by 2 m, the cut's two vertices swapped.
	x1 := x + dx
	corner := orb.Ring{{x1, y}, {x1 + dx, y}, {x1 + dx - dx/50, y + dy}, {x1 + dx, y + dy - dy/50}, {x1, y + dy}, {x1, y}}
	bowtie := cell(2)
	bowtie[1], bowtie[2] = bowtie[2], bowtie[1]
	codes := []string{"440303001001001", "440303001001002", "440303001001003"}
	var feats []string
	for i, r := range []orb.Ring{sound, corner, bowtie} {
		var pts []string
		for _, p := range r {
			pts = append(pts, fmt.Sprintf("[%.7f,%.7f]", p[0], p[1]))
		}
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","properties":{"BGID":"%s","SQDM":"440303001001"},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`,
			codes[i], strings.Join(pts, ",")))
	}
	path := filepath.Join(t.TempDir(), "grids.geojson")
	if err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	byID := func(rep *importer.Report) map[string][]importer.Finding {
		out := map[string][]importer.Finding{}
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Check, "geometry.") {
				out[f.SourceID] = append(out[f.SourceID], f)
			}
		}
		return out
	}
	checks := func(fs []importer.Finding) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Check)
		}
		return strings.Join(s, " ")
	}
	ctx := context.Background()
	_, rep, err := importer.Check(ctx, []string{path}, nil, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := byID(rep)
	if checks(got[codes[0]]) != "" || checks(got[codes[1]]) != "geometry.invalid" || checks(got[codes[2]]) != "geometry.invalid" {
		t.Fatalf("without --repair: %v", got)
	}

	ds, rep, err := importer.Check(ctx, []string{path}, nil, importer.Options{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	got = byID(rep)
	if checks(got[codes[0]]) != "" || checks(got[codes[1]]) != "geometry.repaired" || checks(got[codes[2]]) != "geometry.repair geometry.invalid" {
		t.Fatalf("with --repair: %+v", got)
	}
	fixed := got[codes[1]][0]
	var before, after float64
	if _, err := fmt.Sscanf(fixed.Value, "%f m² before, %f m² after", &before, &after); err != nil || fixed.File != path || fixed.Index != 1 {
		t.Fatalf("repair finding %+v: %v", fixed, err)
	}
	g := ds.Grids[1]
	if len(g.Polygon) != 1 || math.Abs(orbgeo.Area(g.Polygon)-after) > 0.1 || math.Abs(g.AreaM2-after) > 0.1 || after < 0.98*orbgeo.Area(orb.Polygon{cell(1)}) {
		t.Errorf("repaired grid %v: area %.1f m² (column %.1f), reported %.1f; want nearly the whole cell", g.Polygon, orbgeo.Area(g.Polygon), g.AreaM2, after)
	}
	if r := got[codes[2]][0].Reason; !strings.Contains(r, "2 parts") || !strings.Contains(r, "one polygon") {
		t.Errorf("bow-tie reason %q", r)
	}
	t.Logf("repaired %s: %s; %s", fixed.SourceID, fixed.Value, fixed.Reason)
}
