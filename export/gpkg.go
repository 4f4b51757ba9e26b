package export

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"citygeo/internal/sqliteuri"
	"citygeo/schema"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	_ "modernc.org/sqlite" // GeoPackage is SQLite
)

const gpkgSchema = `
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
	organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
	description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
	srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
	('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
	('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
	('China Geodetic Coordinate System 2000', 4490, 'EPSG', 4490,
	 'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4490"]]', NULL);`

// encodeGPKG writes a GeoPackageBinary blob: little-endian header, srs 4490, no envelope.
func encodeGPKG(g orb.Geometry) ([]byte, error) {
	w, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8, 8+len(w))
	b[0], b[1], b[2], b[3] = 'G', 'P', 0, 1
	binary.LittleEndian.PutUint32(b[4:], 4490)
	return append(b, w...), nil
}

func geomTypeName(l layer) string {
	name := ""
	for _, r := range l.records {
		if r.geom == nil {
			continue
		}
		t := strings.ToUpper(r.geom.GeoJSONType())
		if name == "" {
			name = t
		} else if name != t {
			return "GEOMETRY"
		}
	}
	if name == "" {
		return "GEOMETRY"
	}
	return name
}

// writeGPKG writes one GeoPackage with a table per layer, geometry in CGCS2000 (EPSG:4490).
func writeGPKG(layers []layer, path string) ([]string, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	db, err := sql.Open("sqlite", sqliteuri.File(path, nil))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, gpkgSchema); err != nil {
		return nil, fmt.Errorf("export %s: %w", path, err)
	}
	for _, l := range layers {
		if err := writeGPKGLayer(ctx, tx, l); err != nil {
			return nil, fmt.Errorf("export %s: %s: %w", path, l.kind, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return []string{path}, nil
}

func writeGPKGLayer(ctx context.Context, tx *sql.Tx, l layer) error {
	cols := l.cols
	table := string(l.kind)
	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE " + quoteIdent(table) + " (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB")
	for _, c := range cols {
		ddl.WriteString(", " + quoteIdent(c.Name) + " " + gpkgType[c.Type])
	}
	ddl.WriteString(")")
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return err
	}
	var b orb.Bound
	first := true
	for _, r := range l.records {
		if r.geom == nil {
			continue
		}
		if first {
			b, first = r.geom.Bound(), false
		} else {
			b = b.Union(r.geom.Bound())
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents(table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, 'features', ?, ?, ?, ?, ?, 4490)`, table, table, b.Min[0], b.Min[1], b.Max[0], b.Max[1]); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4490, 0, 0)`, table, geomTypeName(l)); err != nil {
		return err
	}
	q := "INSERT INTO " + quoteIdent(table) + " (geom"
	for _, c := range cols {
		q += ", " + quoteIdent(c.Name)
	}
	q += ") VALUES (?" + strings.Repeat(", ?", len(cols)) + ")"
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, len(cols)+1)
	for _, r := range l.records {
		args[0] = nil
		if r.geom != nil {
			g, err := encodeGPKG(r.geom)
			if err != nil {
				return err
			}
			args[0] = g
		}
		for i, c := range cols {
			args[i+1] = gpkgValue(c.Type, r.props, c.Name)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// gpkgType is the SQLite column type of each field type, as GDAL reads them. INTEGER and REAL
// columns turn the numeric text bound into them into numbers (SQLite type affinity).
var gpkgType = map[schema.Type]string{
	schema.Text: "TEXT", schema.Integer: "INTEGER", schema.Number: "REAL", schema.Date: "DATE", schema.Bool: "BOOLEAN",
}

// gpkgValue is the value bound for column name: NULL when the record has none, 0 or 1 for a
// boolean, the text otherwise.
func gpkgValue(t schema.Type, props map[string]string, name string) any {
	s, ok := props[name]
	switch {
	case !ok:
		return nil
	case t == schema.Bool:
		if schema.ParseBool(s) {
			return 1
		}
		return 0
	}
	return s
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
