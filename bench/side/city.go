package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	_ "modernc.org/sqlite" // a GeoPackage is an SQLite file
)

// City is the generated city every system loads and the queries every system answers.
type City struct {
	Path       string         `json:"path"` // the GeoPackage `citygeo gen` wrote
	Bytes      int64          `json:"bytes"`
	Grids      int            `json:"grids"`
	Components int            `json:"components"` // of every geometry type
	Addresses  int            `json:"addresses"`
	Bound      orb.Bound      `json:"bound"` // of the grids
	Classes    []string       `json:"classes"`
	Tiles      []maptile.Tile `json:"-"`
	TileCount  int            `json:"z15_tiles"`
	Points     []orb.Point    `json:"-"`
}

// tileZoom is the zoom of the tile measure (issue 18: the z15 tiles over the city).
const tileZoom = 15

// prepareCity generates the city as a GeoPackage in c.Work, unless a run before left it there,
// and reads what the queries need from it.
func prepareCity(ctx context.Context, c *Config, bin string) (*City, error) {
	path := filepath.Join(c.Work, fmt.Sprintf("city-%d.gpkg", c.Grids))
	if _, err := os.Stat(path); err != nil {
		c.Log("generating a %d-grid city into %s", c.Grids, path)
		tmp := path + ".part"
		_ = os.Remove(tmp)
		cmd := exec.CommandContext(ctx, bin, "gen", "--grids", fmt.Sprint(c.Grids), "--format", "gpkg", "--out", tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("citygeo gen: %v: %s", err, out)
		}
		// Renamed only once whole, so a run stopped halfway never reuses half a city.
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	} else {
		c.Log("reusing %s", path)
	}
	city, err := readCity(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	city.Points = randomPoints(city.Bound, c.Points)
	return city, nil
}

// readCity counts the layers of the GeoPackage, takes the grids' extent and the classes the
// nearest measure asks for: those whose components are all points, so that PostGIS's one
// point table and citygeo's index of every component answer the same question.
func readCity(ctx context.Context, path string) (*City, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	city := &City{Path: path, Bytes: fi.Size()}
	var lines, polygons int
	for table, n := range map[string]*int{"grid": &city.Grids, "component": &city.Components, "component_line": &lines,
		"component_polygon": &polygons, "address": &city.Addresses} {
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
	}
	city.Components += lines + polygons
	b := &city.Bound
	if err := db.QueryRowContext(ctx, "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_grid_geom").
		Scan(&b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
		return nil, fmt.Errorf("grid extent: %w", err)
	}
	// CJ/T 214 and GB/T 47678.5 ids both carry the class in the four characters after the
	// six-digit area code.
	rows, err := db.QueryContext(ctx, `SELECT substr(OBJID, 7, 4) AS class FROM component GROUP BY class
		EXCEPT SELECT substr(OBJID, 7, 4) FROM component_line EXCEPT SELECT substr(OBJID, 7, 4) FROM component_polygon
		ORDER BY class`)
	if err != nil {
		return nil, fmt.Errorf("classes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var class string
		if err := rows.Scan(&class); err != nil {
			return nil, err
		}
		city.Classes = append(city.Classes, class)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if city.Grids == 0 || len(city.Classes) == 0 {
		return nil, fmt.Errorf("%d grids and %d point-only classes: not a generated city", city.Grids, len(city.Classes))
	}
	city.Tiles = coverTiles(city.Bound, tileZoom)
	city.TileCount = len(city.Tiles)
	return city, nil
}

// coverTiles lists the tiles of zoom z over b, row by row.
func coverTiles(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for y := lo.Y; y <= hi.Y; y++ {
		for x := lo.X; x <= hi.X; x++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// randomPoints are n points spread evenly over b, the same every run.
func randomPoints(b orb.Bound, n int) []orb.Point {
	r := rand.New(rand.NewPCG(18, 2026))
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
	}
	return out
}

// describe is the city in one line of the report.
func (c *City) describe() string {
	return fmt.Sprintf("%d grids, %d components, %d addresses (GeoPackage %s); %d query points, %d z15 tiles, nearest over %d point classes (%s)",
		c.Grids, c.Components, c.Addresses, mb(c.Bytes), len(c.Points), len(c.Tiles), len(c.Classes), strings.Join(c.Classes, " "))
}
