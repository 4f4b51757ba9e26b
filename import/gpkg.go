package importer

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"citygeo/geo"
	"citygeo/internal/sqliteuri"

	"github.com/paulmach/orb"

	_ "modernc.org/sqlite" // GeoPackage is SQLite
)

// decodeGPKG reads a GeoPackageBinary geometry blob: "GP", version, flags, srs_id, envelope,
// then WKB. It returns the geometry and the srs_id.
func decodeGPKG(b []byte) (orb.Geometry, int32, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, 0, fmt.Errorf("gpkg geometry: bad magic: %w", ErrFormat)
	}
	flags := b[3]
	var order binary.ByteOrder = binary.BigEndian
	if flags&1 != 0 {
		order = binary.LittleEndian
	}
	srs := int32(order.Uint32(b[4:8]))
	env := [...]int{0, 32, 48, 48, 64}
	code := int(flags>>1) & 7
	if code >= len(env) {
		return nil, 0, fmt.Errorf("gpkg geometry: envelope code %d: %w", code, ErrFormat)
	}
	start := 8 + env[code]
	if len(b) < start {
		return nil, 0, fmt.Errorf("gpkg geometry: truncated envelope: %w", ErrFormat)
	}
	if flags&0x10 != 0 { // empty geometry
		return nil, srs, nil
	}
	g, err := decodeWKB(b[start:])
	return g, srs, err
}

var sqliteMagic = []byte("SQLite format 3\x00")

type gpkgTable struct {
	name, geomCol string
	srs           int
}

func readGeoPackage(path string, opts ReadOptions, fn func(*Source, *Feature) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	st, _ := f.Stat()
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteMagic) {
		return fmt.Errorf("%s: not a GeoPackage (no SQLite header): %w", path, ErrFormat)
	}
	if st != nil && st.Size() > opts.maxSize() {
		return fmt.Errorf("%s: %d bytes, limit %d: %w", path, st.Size(), opts.maxSize(), ErrTooLarge)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", sqliteuri.File(path, q))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer db.Close()
	ctx := context.Background()
	// Attribute tables (no geometry column: a department list) are read as features without
	// geometry.
	rows, err := db.QueryContext(ctx, `SELECT c.table_name, coalesce(g.column_name, ''), coalesce(g.srs_id, 0)
		FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
		WHERE c.data_type = 'features' AND g.table_name IS NOT NULL OR c.data_type = 'attributes'
		ORDER BY c.table_name`)
	if err != nil {
		return fmt.Errorf("%s: not a GeoPackage (%v): %w", path, err, ErrFormat)
	}
	var tables []gpkgTable
	for rows.Next() {
		var t gpkgTable
		if err := rows.Scan(&t.name, &t.geomCol, &t.srs); err != nil {
			rows.Close()
			return fmt.Errorf("%s: %v: %w", path, err, ErrFormat)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if len(tables) == 0 {
		return fmt.Errorf("%s: no feature tables: %w", path, ErrFormat)
	}
	biggestFirst(ctx, db, tables)
	for _, t := range tables {
		src := &Source{Path: path, Format: FormatGeoPackage, Layer: t.name}
		switch {
		case opts.CRS != nil:
			src.CRS = *opts.CRS
		case t.geomCol == "":
			src.CRS = geo.CGCS2000
		default:
			if src.CRS, err = gpkgCRS(ctx, db, t.srs); err != nil {
				return fmt.Errorf("%s: table %s: %w", path, t.name, err)
			}
		}
		if err := readGPKGTable(ctx, db, t, src, fn); err != nil {
			return fmt.Errorf("%s: table %s: %w", path, t.name, err)
		}
	}
	return nil
}

// biggestFirst orders the tables by their largest rowid, largest first, stably (the rowid
// is the GeoPackage's integer key, found in a B-tree descent; it counts rows unless some were
// deleted). An import stores features while it reads them, and a store keeps each layer in its
// own key range, in an order a reader does not know: the biggest layer read first is appended
// at the end of the store's table, the others after or beside it, instead of millions of
// components going into the middle of a table that already holds the addresses (read first
// by name), which costs SQLite a page split every few rows.
func biggestFirst(ctx context.Context, db *sql.DB, tables []gpkgTable) {
	size := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n sql.NullInt64
		if db.QueryRowContext(ctx, "SELECT max(rowid) FROM "+quoteIdent(t.name)).Scan(&n) == nil {
			size[t.name] = n.Int64 // a view or a table without rowid counts as empty
		}
	}
	slices.SortStableFunc(tables, func(a, b gpkgTable) int { return cmp.Compare(size[b.name], size[a.name]) })
}

func gpkgCRS(ctx context.Context, db *sql.DB, srs int) (geo.CRS, error) {
	var org, def string
	var orgID int
	err := db.QueryRowContext(ctx, `SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?`, srs).
		Scan(&org, &orgID, &def)
	if err != nil {
		return geo.CRS{}, fmt.Errorf("srs %d: %v: %w", srs, err, ErrCRS)
	}
	if strings.EqualFold(org, "EPSG") {
		return geo.EPSG(orgID)
	}
	return CRSFromPRJ(def)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// readGPKGTable reads every row of table t through the driver's own rows: database/sql's Scan
// converted and copied each of a 2M-row table's 30M values once more.
func readGPKGTable(ctx context.Context, db *sql.DB, t gpkgTable, src *Source, fn func(*Source, *Feature) error) error {
	list, dates := gpkgSelect(ctx, db, t.name)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("driver connection %T cannot query", dc)
		}
		rows, err := q.QueryContext(ctx, "SELECT "+list+" FROM "+quoteIdent(t.name), nil)
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrFormat)
		}
		defer rows.Close()
		return readGPKGRows(rows, t, dates, src, fn)
	})
}

// readGPKGRows reads the rows into features; dates marks the columns whose text gpkgTime reads.
func readGPKGRows(rows driver.Rows, t gpkgTable, dates []bool, src *Source, fn func(*Source, *Feature) error) error {
	cols := rows.Columns()
	src.Columns, src.EveryColumn = nil, true
	for _, c := range cols {
		if c != t.geomCol && c != "fid" && c != "ogc_fid" {
			src.Columns = append(src.Columns, c)
		}
	}
	vals := make([]driver.Value, len(cols))
	// One feature and one slice of values serve every row (Read's fn keeps neither), each value
	// at its column's place in src.Columns: a map per row, or even one map's dozen assignments
	// per row, were a tenth of reading a 2M-row table.
	at := make([]int, len(cols)) // the column's place in src.Columns; −1 for the id and geometry
	for j, c := range cols {
		at[j] = slices.Index(src.Columns, c)
	}
	f := &Feature{Values: make([]any, len(src.Columns))}
	for i := 0; ; i++ {
		if err := rows.Next(vals); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
		}
		f.Index, f.Geometry = i, nil
		for j, c := range cols {
			if c == t.geomCol {
				b, ok := vals[j].([]byte)
				if !ok || len(b) == 0 {
					continue
				}
				g, _, err := decodeGPKG(b)
				if err != nil {
					return fmt.Errorf("feature %d: %w", i, err)
				}
				f.Geometry = toCGCS2000(src.CRS, g)
				continue
			}
			k := at[j]
			if k < 0 {
				continue // GDAL's row id, not an attribute
			}
			switch v := vals[j].(type) {
			case []byte:
				f.Values[k] = string(v)
			case string:
				if j < len(dates) && dates[j] {
					f.Values[k] = gpkgTime(v)
				} else {
					f.Values[k] = vals[j] // as the driver boxed it: v would be boxed again
				}
			default:
				f.Values[k] = v
			}
		}
		if err := fn(src, f); err != nil {
			return err
		}
	}
}
