package postgis

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"citygeo/data"

	json "github.com/goccy/go-json" // several times faster than encoding/json on a million rows
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkb"
)

// column is one typed column of a layer table, after (version, seq).
type column struct {
	name string
	typ  string
	geom bool // a geometry column: GiST-indexed, written as EWKB, read back as WKB
}

// table maps one layer onto its table. fill and scan take the columns in the order of cols.
type table struct {
	layer data.Layer
	name  string
	cols  []column
	// fill puts the values of feature i of ds into row, one per column; geometry goes through
	// g, whose buffers are reused from row to row.
	fill func(ds *data.Dataset, i int, row []any, g *geomEncoder) error
	// scan reads a row and appends its feature to ds.
	scan func(rows rowScanner, ds *data.Dataset) error
}

// rowScanner is what a table's scan reads a row through: pgx.Rows, or a copiedRow decoded by a
// load's worker.
type rowScanner interface{ Scan(dest ...any) error }

// copiedRow is one row's raw values copied out of pgx's read buffer, so that another goroutine
// can decode it with a type map of its own (a pgtype.Map is not safe for concurrent use).
type copiedRow struct {
	dec    *rowDecoder
	fields []pgconn.FieldDescription
	vals   [][]byte // nil for NULL; in the batch's buffer, reused once the batch is decoded
}

// rowDecoder is one load worker's type map and its scan plans per column of the table being
// decoded: planning a scan costs more than running it, and pgx.Rows keeps its plans the same way.
type rowDecoder struct {
	m     *pgtype.Map
	t     *table
	plans []pgtype.ScanPlan
	comp  componentDecoder
	// The arenas of the other large layers (data.Arena).
	arenas layerArenas
}

// layerArenas are a load worker's arenas for grids, addresses and buildings.
type layerArenas struct {
	grids     data.Arena[data.Grid]
	addresses data.Arena[data.Address]
	buildings data.Arena[data.Building]
}

// loadArenas returns the arenas of the load worker decoding rows, or nil when rows are not a
// load's (a change query's features stay on the heap).
func loadArenas(rows rowScanner) *layerArenas {
	if r, ok := rows.(*copiedRow); ok {
		return &r.dec.arenas
	}
	return nil
}

// Scan decodes the row's values into dest, one per column, as pgx.Rows.Scan does.
func (r *copiedRow) Scan(dest ...any) error {
	if len(dest) != len(r.vals) {
		return fmt.Errorf("%d columns, %d destinations", len(r.vals), len(dest))
	}
	d := r.dec
	if len(d.plans) != len(dest) {
		d.plans = make([]pgtype.ScanPlan, len(dest))
	}
	for i, dst := range dest {
		if d.plans[i] == nil {
			d.plans[i] = d.m.PlanScan(r.fields[i].DataTypeOID, r.fields[i].Format, dst)
		}
		if err := d.plans[i].Scan(r.vals[i], dst); err != nil {
			return fmt.Errorf("column %s: %w", r.fields[i].Name, err)
		}
	}
	return nil
}

func geomCol(name, kind string) column {
	return column{name: name, typ: fmt.Sprintf("geometry(%s, %d)", kind, SRID), geom: true}
}

func textCol(name string) column { return column{name: name, typ: "text NOT NULL"} }

// selectList is the column list of a layer's SELECT: geometry as WKB, which orb decodes.
func (t *table) selectList() string {
	var b strings.Builder
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.geom {
			fmt.Fprintf(&b, "ST_AsBinary(%s)", c.name)
		} else {
			b.WriteString(c.name)
		}
	}
	return b.String()
}

// copyColumns is the column list of a layer's COPY.
func (t *table) copyColumns() []string {
	names := []string{"version", "seq"}
	for _, c := range t.cols {
		names = append(names, c.name)
	}
	return names
}

// tables lists the layer tables in the order of data.Layers.
var tables = []*table{areaTable, gridTable, componentTable, departmentTable, roadTable, addressTable, buildingTable, poiTable}

func tableOf(l data.Layer) (*table, error) {
	for _, t := range tables {
		if t.layer == l {
			return t, nil
		}
	}
	return nil, fmt.Errorf("layer %q has no table", l)
}

var areaTable = &table{
	layer: data.LayerArea, name: "area",
	cols: []column{textCol("code"), textCol("name"), {name: "level", typ: "smallint NOT NULL"}, textCol("parent"),
		geomCol("label", "Point"), {name: "derived", typ: "boolean NOT NULL"}, geomCol("geom", "MultiPolygon")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		a := ds.Areas[i]
		var label orb.Geometry
		if a.Label != (orb.Point{}) {
			label = a.Label
		}
		row[0], row[1], row[2], row[3], row[5] = a.Code, a.Name, int16(a.Level), a.Parent, a.Derived
		if err := g.put(row, 4, label); err != nil {
			return err
		}
		return g.put(row, 6, a.Polygon)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		a := &data.Area{}
		var level int16
		var label, geom []byte
		if err := rows.Scan(&a.Code, &a.Name, &level, &a.Parent, &label, &a.Derived, &geom); err != nil {
			return err
		}
		a.Level = data.AreaLevel(level)
		var err error
		if a.Label, err = decodeAs[orb.Point](label); err != nil {
			return fmt.Errorf("area %s label: %w", a.Code, err)
		}
		if a.Polygon, err = decodeAs[orb.MultiPolygon](geom); err != nil {
			return fmt.Errorf("area %s: %w", a.Code, err)
		}
		ds.Areas = append(ds.Areas, a)
		return nil
	},
}

var gridTable = &table{
	layer: data.LayerGrid, name: "grid",
	cols: []column{textCol("code"), textCol("community"), {name: "area_m2", typ: "double precision NOT NULL"},
		{name: "derived", typ: "boolean NOT NULL"}, geomCol("geom", "Polygon")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		c := ds.Grids[i]
		row[0], row[1], row[2], row[3] = c.Code, c.Community, c.AreaM2, c.Derived
		return g.put(row, 4, c.Polygon)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		c := &data.Grid{}
		var geom []byte
		if err := rows.Scan(&c.Code, &c.Community, &c.AreaM2, &c.Derived, &geom); err != nil {
			return err
		}
		var err error
		if c.Polygon, err = decodeAs[orb.Polygon](geom); err != nil {
			return fmt.Errorf("grid %s: %w", c.Code, err)
		}
		if a := loadArenas(rows); a != nil {
			c = data.NewGrid(&a.grids, c)
		} else {
			c.Community = data.Intern(c.Community)
		}
		ds.Grids = append(ds.Grids, c)
		return nil
	},
}

var componentTable = &table{
	layer: data.LayerComponent, name: "component",
	cols: []column{textCol("id"), textCol("scheme"), textCol("major"), textCol("minor"), textCol("name"),
		textCol("owner_code"), textCol("owner_name"), textCol("property_code"), textCol("property_name"),
		textCol("maintainer_code"), textCol("maintainer_name"), textCol("grid"), textCol("status"),
		{name: "init_date", typ: "timestamptz"}, {name: "change_date", typ: "timestamptz"},
		textCol("source"), textCol("note"), {name: "extra", typ: "jsonb"}, geomCol("geom", "Geometry")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		c := ds.Components[i]
		row[0], row[1], row[2], row[3], row[4] = c.ID, c.Scheme.String(), c.Major, c.Minor, c.Name
		row[5], row[6], row[7], row[8] = c.Owner.Code(), c.Owner.Name(), c.Property.Code(), c.Property.Name()
		row[9], row[10], row[11], row[12] = c.Maintainer.Code(), c.Maintainer.Name(), c.Grid, c.Status.String()
		row[13], row[14], row[15], row[16] = timeOrNil(c.InitDate.Time()), timeOrNil(c.ChangeDate.Time()), c.Source, c.Note
		row[17] = nil
		if len(c.Extra) > 0 {
			b, err := json.Marshal(c.Extra)
			if err != nil {
				return fmt.Errorf("extra: %w", err)
			}
			row[17] = b
		}
		return g.put(row, 18, c.Geometry)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		if r, ok := rows.(*copiedRow); ok && rawComponents(r.fields) {
			c := r.dec.comp.arena.New()
			if err := r.dec.comp.decode(c, r.fields, r.vals); err != nil {
				return err
			}
			ds.Components = append(ds.Components, c)
			return nil
		}
		c := &data.Component{}
		var scheme, status string
		var initDate, changeDate pgtype.Timestamptz
		var extra, geom []byte
		var owner, property, maintainer data.DeptRef
		if err := rows.Scan(&c.ID, &scheme, &c.Major, &c.Minor, &c.Name, &owner.Code, &owner.Name,
			&property.Code, &property.Name, &maintainer.Code, &maintainer.Name, &c.Grid, &status,
			&initDate, &changeDate, &c.Source, &c.Note, &extra, &geom); err != nil {
			return err
		}
		if err := c.Scheme.UnmarshalText([]byte(scheme)); err != nil {
			return fmt.Errorf("component %s: %w", c.ID, err)
		}
		if err := c.Status.UnmarshalText([]byte(status)); err != nil {
			return fmt.Errorf("component %s: %w", c.ID, err)
		}
		c.Owner, c.Property, c.Maintainer = owner.Dept(), property.Dept(), maintainer.Dept()
		c.InitDate, c.ChangeDate = data.DateOf(timeOrZero(initDate)), data.DateOf(timeOrZero(changeDate))
		if extra != nil {
			if err := json.Unmarshal(extra, &c.Extra); err != nil {
				return fmt.Errorf("component %s extra: %w", c.ID, err)
			}
		}
		data.InternComponent(c)
		var err error
		if c.Geometry, err = decodeGeom(geom); err != nil {
			return fmt.Errorf("component %s: %w", c.ID, err)
		}
		ds.Components = append(ds.Components, c)
		return nil
	},
}

var departmentTable = &table{
	layer: data.LayerDepartment, name: "department",
	cols: []column{textCol("code"), textCol("name")},
	fill: func(ds *data.Dataset, i int, row []any, _ *geomEncoder) error {
		row[0], row[1] = ds.Departments[i].Code, ds.Departments[i].Name
		return nil
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		d := &data.Department{}
		if err := rows.Scan(&d.Code, &d.Name); err != nil {
			return err
		}
		ds.Departments = append(ds.Departments, d)
		return nil
	},
}

var roadTable = &table{
	layer: data.LayerRoad, name: "road",
	cols: []column{{name: "id", typ: "bigint NOT NULL"}, textCol("name"), textCol("class"), geomCol("geom", "LineString")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		r := ds.Roads[i]
		id, err := bigint(r.ID)
		if err != nil {
			return err
		}
		row[0], row[1], row[2] = id, r.Name, string(r.Class)
		return g.put(row, 3, r.Line)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		r := &data.Road{}
		var class string
		var geom []byte
		if err := rows.Scan(&r.ID, &r.Name, &class, &geom); err != nil {
			return err
		}
		r.Class = data.RoadClass(class)
		var err error
		if r.Line, err = decodeAs[orb.LineString](geom); err != nil {
			return fmt.Errorf("road %d: %w", r.ID, err)
		}
		ds.Roads = append(ds.Roads, r)
		return nil
	},
}

var addressTable = &table{
	layer: data.LayerAddress, name: "address",
	// "full" is an SQL keyword (FULL JOIN), hence full_address.
	cols: []column{{name: "id", typ: "bigint NOT NULL"}, textCol("road"), textCol("section"), textCol("lane"), textCol("alley"),
		{name: "number", typ: "integer NOT NULL"}, textCol("suffix"), textCol("full_address"), textCol("community"),
		textCol("source"), geomCol("geom", "Point")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		a := ds.Addresses[i]
		id, err := bigint(a.ID)
		if err != nil {
			return err
		}
		row[0], row[1], row[2], row[3], row[4] = id, a.Road, a.Section, a.Lane, a.Alley
		row[5], row[6], row[7], row[8], row[9] = a.Number, a.Suffix, a.Full, a.Community, a.Source
		return g.put(row, 10, a.Point)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		a := &data.Address{}
		var geom []byte
		if err := rows.Scan(&a.ID, &a.Road, &a.Section, &a.Lane, &a.Alley, &a.Number, &a.Suffix, &a.Full,
			&a.Community, &a.Source, &geom); err != nil {
			return err
		}
		var err error
		if a.Point, err = decodeAs[orb.Point](geom); err != nil {
			return fmt.Errorf("address %d: %w", a.ID, err)
		}
		if ar := loadArenas(rows); ar != nil {
			a = data.NewAddress(&ar.addresses, a)
		} else {
			a.Road, a.Section, a.Lane, a.Alley = data.Intern(a.Road), data.Intern(a.Section), data.Intern(a.Lane), data.Intern(a.Alley)
			a.Suffix, a.Community, a.Source = data.Intern(a.Suffix), data.Intern(a.Community), data.Intern(a.Source)
		}
		ds.Addresses = append(ds.Addresses, a)
		return nil
	},
}

var buildingTable = &table{
	layer: data.LayerBuilding, name: "building",
	cols: []column{{name: "id", typ: "bigint NOT NULL"}, textCol("compound"), textCol("name"), textCol("address"),
		geomCol("point", "Point"), geomCol("footprint", "Polygon")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		b := ds.Buildings[i]
		id, err := bigint(b.ID)
		if err != nil {
			return err
		}
		row[0], row[1], row[2], row[3] = id, b.Compound, b.Name, b.Address
		if err := g.put(row, 4, b.Point); err != nil {
			return err
		}
		return g.put(row, 5, b.Footprint)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		b := &data.Building{}
		var point, footprint []byte
		if err := rows.Scan(&b.ID, &b.Compound, &b.Name, &b.Address, &point, &footprint); err != nil {
			return err
		}
		var err error
		if b.Point, err = decodeAs[orb.Point](point); err != nil {
			return fmt.Errorf("building %d point: %w", b.ID, err)
		}
		if b.Footprint, err = decodeAs[orb.Polygon](footprint); err != nil {
			return fmt.Errorf("building %d footprint: %w", b.ID, err)
		}
		if a := loadArenas(rows); a != nil {
			b = data.NewBuilding(&a.buildings, b)
		}
		ds.Buildings = append(ds.Buildings, b)
		return nil
	},
}

var poiTable = &table{
	layer: data.LayerPOI, name: "poi",
	cols: []column{{name: "id", typ: "bigint NOT NULL"}, textCol("name"), {name: "aliases", typ: "text[]"},
		textCol("category"), textCol("address"), geomCol("geom", "Point")},
	fill: func(ds *data.Dataset, i int, row []any, g *geomEncoder) error {
		p := ds.POIs[i]
		id, err := bigint(p.ID)
		if err != nil {
			return err
		}
		row[0], row[1], row[2], row[3], row[4] = id, p.Name, nil, p.Category, p.Address
		if len(p.Aliases) > 0 {
			row[2] = p.Aliases
		}
		return g.put(row, 5, p.Point)
	},
	scan: func(rows rowScanner, ds *data.Dataset) error {
		p := &data.POI{}
		var geom []byte
		if err := rows.Scan(&p.ID, &p.Name, &p.Aliases, &p.Category, &p.Address, &geom); err != nil {
			return err
		}
		var err error
		if p.Point, err = decodeAs[orb.Point](geom); err != nil {
			return fmt.Errorf("poi %d: %w", p.ID, err)
		}
		ds.POIs = append(ds.POIs, p)
		return nil
	},
}

// bigint returns id as a bigint column value. The numeric ids of roads, addresses, buildings
// and POIs are uint64 in Go, but no survey numbers anything past 2^63; refusing such an id keeps
// the column a plain, indexable, readable bigint.
func bigint(id uint64) (int64, error) {
	if id > math.MaxInt64 {
		return 0, fmt.Errorf("id %d does not fit a bigint column", id)
	}
	return int64(id), nil
}

// timeOrNil returns t, or nil (NULL) for the zero time, which means "no date".
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func timeOrZero(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// geomEncoder encodes geometry as EWKB with SRID 4490, the binary form PostGIS's geometry type
// receives in a binary COPY (its typmod refuses SRID 0). It keeps one buffer per column
// position: pgx copies a row's values into its send buffer before asking for the next row, so
// the buffers are reused instead of allocating one per feature.
type geomEncoder struct {
	bufs map[int]*bytes.Buffer
}

func newGeomEncoder() *geomEncoder { return &geomEncoder{bufs: map[int]*bytes.Buffer{}} }

// put encodes geom into row[col]: a missing or empty geometry is NULL.
func (g *geomEncoder) put(row []any, col int, geom orb.Geometry) error {
	if isEmpty(geom) {
		row[col] = nil
		return nil
	}
	buf := g.bufs[col]
	if buf == nil {
		buf = &bytes.Buffer{}
		g.bufs[col] = buf
	}
	buf.Reset()
	if err := ewkb.NewEncoder(buf).Encode(geom, SRID); err != nil {
		return fmt.Errorf("encode %s: %w", geom.GeoJSONType(), err)
	}
	row[col] = buf.Bytes()
	return nil
}

// isEmpty reports whether g is missing or has no coordinates, stored as NULL as SQLite stores no
// WKB, so that both backends give the same nil back.
func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case nil:
		return true
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	}
	return false
}

func decodeGeom(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	return wkb.Unmarshal(b)
}

// decodeAs decodes WKB as a T; NULL gives the zero T, another type an error. A Polygon is
// accepted where a MultiPolygon is wanted.
func decodeAs[T orb.Geometry](b []byte) (T, error) {
	var zero T
	g, err := decodeGeom(b)
	if err != nil || g == nil {
		return zero, err
	}
	if t, ok := g.(T); ok {
		return t, nil
	}
	if p, ok := g.(orb.Polygon); ok {
		if t, ok := any(orb.MultiPolygon{p}).(T); ok {
			return t, nil
		}
	}
	return zero, fmt.Errorf("geometry is %s, want %s", g.GeoJSONType(), zero.GeoJSONType())
}
