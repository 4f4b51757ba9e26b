package export

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"

	"citygeo/internal/sqliteuri"
	"citygeo/schema"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	_ "modernc.org/sqlite" // GeoPackage is SQLite
)

// gpkgSchema is the GeoPackage 1.3 core tables and the extensions table, with the two
// undefined systems the standard requires.
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
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
	scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
	('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
	('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);`

// gpkgRTree is the spatial index of one table's geometry column as GeoPackage 1.3's
// gpkg_rtree_index extension defines it (F.3): the R-tree virtual table and the triggers that
// keep it in step when a GIS edits the table. The ST_ functions the triggers call are the
// reader's (GDAL and QGIS register them); the export fills the index itself and creates the
// triggers last, so it never fires them. {t} and {c} are the table and column, quoted; {r}
// is the R-tree's name, quoted; {i} is the primary key.
const gpkgRTree = `
CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO {r} SELECT fid, minx, maxx, miny, maxy FROM temp_bounds;
CREATE TRIGGER {rt_insert} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
CREATE TRIGGER {rt_update1} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
CREATE TRIGGER {rt_update2} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TRIGGER {rt_update3} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{i};
	INSERT OR REPLACE INTO {r} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
CREATE TRIGGER {rt_update4} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {rt_delete} AFTER DELETE ON {t} WHEN old.{c} NOT NULL
BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
INSERT INTO gpkg_extensions VALUES ({t_lit}, {c_lit}, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
DROP TABLE temp_bounds;`

// encodeGPKG writes a GeoPackageBinary blob: little-endian header, the srs id, no envelope.
func encodeGPKG(g orb.Geometry, srs int) ([]byte, error) {
	w, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8, 8+len(w))
	b[0], b[1], b[2], b[3] = 'G', 'P', 0, 1
	binary.LittleEndian.PutUint32(b[4:], uint32(int32(srs)))
	return append(b, w...), nil
}

// gpkg writes one GeoPackage with a table per layer: a features table with an R-tree index
// for a layer with geometry, an attributes table for one without (departments).
func (w writer) gpkg(layers []layer, path string) error {
	db, err := sql.Open("sqlite", sqliteuri.File(path, nil))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, gpkgSchema); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	// GeoPackage 1.3 Requirement 11: the table holds WGS 84 (4326) whatever the layers use.
	srs := []spatialRef{{epsg: 4326, name: "WGS 84", wkt: ogcWGS84}}
	if w.srs.epsg != 4326 {
		srs = append(srs, w.srs)
	}
	for _, r := range srs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)`,
			r.name, r.epsg, r.epsg, r.wkt); err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
	}
	for _, l := range layers {
		if err := w.gpkgLayer(ctx, tx, l); err != nil {
			return fmt.Errorf("export %s: %s: %w", path, l.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}

func (w writer) gpkgLayer(ctx context.Context, tx *sql.Tx, l layer) error {
	table := quoteIdent(l.name)
	geomType := l.geometryType()
	types := make([]string, len(l.cols))
	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE " + table + " (fid INTEGER PRIMARY KEY AUTOINCREMENT")
	if geomType != "" {
		ddl.WriteString(", geom " + geomType)
	}
	for i, c := range l.cols {
		types[i] = gpkgType(c, l.records)
		ddl.WriteString(", " + quoteIdent(c.Name) + " " + types[i])
	}
	ddl.WriteString(")")
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return err
	}
	if geomType == "" {
		_, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents(table_name, data_type, identifier) VALUES (?, 'attributes', ?)`, l.name, l.name)
		if err != nil {
			return err
		}
		return w.gpkgRows(ctx, tx, l, table, types, "")
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
		VALUES (?, 'features', ?, ?, ?, ?, ?, ?)`, l.name, l.name, b.Min[0], b.Min[1], b.Max[0], b.Max[1], w.srs.epsg); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, l.name, geomType, w.srs.epsg); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE temp_bounds (fid INTEGER, minx REAL, maxx REAL, miny REAL, maxy REAL)`); err != nil {
		return err
	}
	if err := w.gpkgRows(ctx, tx, l, table, types, geomType); err != nil {
		return err
	}
	rtree := strings.NewReplacer(
		"{r}", quoteIdent("rtree_"+l.name+"_geom"),
		"{t_lit}", quoteLiteral(l.name), "{c_lit}", quoteLiteral("geom"),
		"{t}", table, "{c}", quoteIdent("geom"), "{i}", "fid",
		"{rt_insert}", quoteIdent("rtree_"+l.name+"_geom_insert"),
		"{rt_update1}", quoteIdent("rtree_"+l.name+"_geom_update1"),
		"{rt_update2}", quoteIdent("rtree_"+l.name+"_geom_update2"),
		"{rt_update3}", quoteIdent("rtree_"+l.name+"_geom_update3"),
		"{rt_update4}", quoteIdent("rtree_"+l.name+"_geom_update4"),
		"{rt_delete}", quoteIdent("rtree_"+l.name+"_geom_delete"),
	).Replace(gpkgRTree)
	_, err := tx.ExecContext(ctx, rtree)
	return err
}

// gpkgRows inserts l's records (with geometry when geomType is set, their boxes into
// temp_bounds for the R-tree).
func (w writer) gpkgRows(ctx context.Context, tx *sql.Tx, l layer, table string, types []string, geomType string) error {
	var q strings.Builder
	q.WriteString("INSERT INTO " + table + " (fid")
	if geomType != "" {
		q.WriteString(", geom")
	}
	for _, c := range l.cols {
		q.WriteString(", " + quoteIdent(c.Name))
	}
	n := len(l.cols)
	if geomType != "" {
		n++
	}
	q.WriteString(") VALUES (?" + strings.Repeat(", ?", n) + ")")
	stmt, err := tx.PrepareContext(ctx, q.String())
	if err != nil {
		return err
	}
	defer stmt.Close()
	var box *sql.Stmt
	if geomType != "" {
		if box, err = tx.PrepareContext(ctx, `INSERT INTO temp_bounds VALUES (?, ?, ?, ?, ?)`); err != nil {
			return err
		}
		defer box.Close()
	}
	args := make([]any, 0, n+1)
	for i, r := range l.records {
		fid := i + 1
		args = append(args[:0], fid)
		if geomType != "" {
			var g any
			if r.geom != nil {
				blob, err := encodeGPKG(promote(r.geom, geomType), w.srs.epsg)
				if err != nil {
					return err
				}
				g = blob
				bb := r.geom.Bound()
				if _, err := box.ExecContext(ctx, fid, bb.Min[0], bb.Max[0], bb.Min[1], bb.Max[1]); err != nil {
					return err
				}
			}
			args = append(args, g)
		}
		for j, c := range l.cols {
			args = append(args, gpkgValue(types[j], r.props, c.Name))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

var gpkgDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// gpkgType is the GeoPackage column type of c as GDAL reads it: TEXT, INTEGER, REAL,
// BOOLEAN, and DATE for a date column holding days only, DATETIME when it holds instants.
// INTEGER and REAL columns turn the numeric text bound into them into numbers (SQLite type
// affinity).
func gpkgType(c Column, rs []record) string {
	switch c.Type {
	case schema.Integer:
		return "INTEGER"
	case schema.Number:
		return "REAL"
	case schema.Bool:
		return "BOOLEAN"
	case schema.Instant:
		return "DATETIME"
	case schema.Date:
		for _, r := range rs {
			if s := r.props[c.Name]; s != "" && !gpkgDate.MatchString(s) {
				return "DATETIME"
			}
		}
		return "DATE"
	}
	return "TEXT"
}

// gpkgValue is the value bound for column name: NULL when the record has none, 0 or 1 for a
// boolean, the text otherwise.
func gpkgValue(typ string, props map[string]string, name string) any {
	s, ok := props[name]
	switch {
	case !ok:
		return nil
	case typ == "BOOLEAN":
		if schema.ParseBool(s) {
			return 1
		}
		return 0
	}
	return s
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
