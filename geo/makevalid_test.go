package geo_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"citygeo/data/postgis/pgtest"
	"citygeo/geo"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/planar"
)

func area(mp orb.MultiPolygon) float64 { return planar.Area(mp) }

func TestMakeValid(t *testing.T) {
	sq := orb.Ring{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}
	tests := []struct {
		name  string
		p     orb.Polygon
		parts int
		area  float64
	}{
		{"valid square", orb.Polygon{sq}, 1, 10000},
		{"bow-tie", orb.Polygon{{{0, 0}, {100, 100}, {100, 0}, {0, 100}, {0, 0}}}, 2, 5000},
		{"corner vertices swapped", orb.Polygon{{{0, 0}, {100, 0}, {98, 100}, {100, 98}, {0, 100}, {0, 0}}}, 2, 9805.843137254902}, // ST_MakeValid: the same
		{"spike", orb.Polygon{{{0, 0}, {100, 0}, {100, 100}, {50, 100}, {50, 150}, {50, 100}, {0, 100}, {0, 0}}}, 1, 10000},
		{"square with hole", orb.Polygon{sq, {{20, 20}, {20, 40}, {40, 40}, {40, 20}, {20, 20}}}, 1, 10000 - 400},
		{"vertex touching an edge", orb.Polygon{{{0, 0}, {100, 0}, {100, 100}, {50, 0}, {0, 100}, {0, 0}}}, 2, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.MakeValid(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.parts || math.Abs(area(got)-tc.area) > 1e-6 {
				t.Errorf("MakeValid = %v: %d parts, area %g; want %d parts, area %g", wkt.MarshalString(got), len(got), area(got), tc.parts, tc.area)
			}
			for _, part := range got {
				if part[0].Orientation() != orb.CCW {
					t.Errorf("shell %v is not anticlockwise", part[0])
				}
			}
		})
	}
}

// TestMakeValidAgainstPostGIS compares the repair with PostGIS's ST_MakeValid on survey-like
// faults (a grid's vertices out of order, a corner digitised twice) and on random rings: the
// same area and the same number of parts.
func TestMakeValidAgainstPostGIS(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	r := rand.New(rand.NewPCG(14, 7))
	var cases []orb.Polygon
	for range 200 {
		// A grid cell of about 100 m in lon/lat with two vertices swapped or one displaced.
		x0, y0 := 114+r.Float64()/10, 22.5+r.Float64()/10
		ring := orb.Ring{{x0, y0}, {x0 + 0.001, y0}, {x0 + 0.001, y0 + 0.0009}, {x0 + 0.0005, y0 + 0.00095}, {x0, y0 + 0.0009}}
		i := r.IntN(len(ring) - 1)
		if r.IntN(2) == 0 {
			ring[i], ring[i+1] = ring[i+1], ring[i]
		} else {
			ring[i] = orb.Point{ring[i][0] + (r.Float64()-0.5)*0.003, ring[i][1] + (r.Float64()-0.5)*0.003}
		}
		cases = append(cases, orb.Polygon{append(ring, ring[0])})
	}
	survey := len(cases)
	tangled := 0
	for range 100 {
		var ring orb.Ring
		for range 5 + r.IntN(6) {
			ring = append(ring, orb.Point{r.Float64(), r.Float64()})
		}
		cases = append(cases, orb.Polygon{append(ring, ring[0])})
	}
	worst := 0.0
	for i, p := range cases {
		var pgArea float64
		var pgParts int
		err := conn.QueryRow(ctx, `SELECT ST_Area(g), ST_NumGeometries(g) FROM (SELECT ST_CollectionExtract(ST_MakeValid(ST_GeomFromText($1)), 3) AS g) s`,
			wkt.MarshalString(p)).Scan(&pgArea, &pgParts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := geo.MakeValid(p)
		if errors.Is(err, geo.ErrTangled) && i >= survey {
			tangled++
			continue
		}
		if err != nil {
			t.Errorf("case %d %s: %v", i, wkt.MarshalString(p), err)
			continue
		}
		rel := math.Abs(area(got)-pgArea) / math.Max(pgArea, 1e-30)
		worst = math.Max(worst, rel)
		if rel > 1e-9 || len(got) != pgParts {
			t.Errorf("case %d %s: %d parts, area %.12g; PostGIS %d parts, area %.12g", i, wkt.MarshalString(p), len(got), area(got), pgParts, pgArea)
		}
	}
	t.Logf("%d polygons (%d survey faults, all repaired; %d random rings, %d of them refused as tangled): largest relative area difference from ST_MakeValid %.2g",
		len(cases), survey, len(cases)-survey, tangled, worst)
	if tangled > (len(cases)-survey)*9/10 {
		t.Errorf("%d of %d random rings refused: the repair is too timid", tangled, len(cases)-survey)
	}
}

func TestMakeValidRefusesTangledRings(t *testing.T) {
	// Two loops that overlap: a ring winding twice round with a crossing.
	p := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 2}, {12, 2}, {12, 8}, {-2, 8}, {-2, 1}, {0, 0}}}
	if got, err := geo.MakeValid(p); !errors.Is(err, geo.ErrTangled) {
		t.Errorf("MakeValid = %v, %v; want ErrTangled", wkt.MarshalString(got), err)
	}
}

func FuzzMakeValid(f *testing.F) {
	f.Add(0.0, 0.0, 100.0, 100.0, 100.0, 0.0, 0.0, 100.0, 50.0, 50.0)
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g, h, i, j, k float64) {
		ring := orb.Ring{{a, b}, {c, d}, {e, g}, {h, i}, {j, k}, {a, b}}
		for _, p := range ring {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 1e6 || math.Abs(p[1]) > 1e6 {
				return
			}
		}
		mp, err := geo.MakeValid(orb.Polygon{ring})
		if err != nil {
			return
		}
		for _, part := range mp {
			for _, r := range part {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Fatalf("part ring %v is not closed", r)
				}
			}
		}
	})
}
