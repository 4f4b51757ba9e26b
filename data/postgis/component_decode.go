package postgis

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/valyala/fastjson"

	"citygeo/data"
	"citygeo/internal/jsonattr"
)

// componentDecoder decodes component rows from their raw binary values straight into
// data.Component: scanned through pgx's plans, each of 19 columns of 2M rows became a string,
// time or slice of its own, and the collector's work on that garbage was most of a replica's
// start. Here repeated text is interned and unique text copied into shared chunks
// (data.Strings), components are allocated where the collector does not scan them
// (data.ComponentArena), dates become civil dates and points skip the WKB reader.
type componentDecoder struct {
	arena  data.ComponentArena
	parser fastjson.Parser
}

// The component table's columns, in the order of componentTable.cols.
const (
	compID = iota
	compScheme
	compMajor
	compMinor
	compName
	compOwnerCode
	compOwnerName
	compPropertyCode
	compPropertyName
	compMaintainerCode
	compMaintainerName
	compGrid
	compStatus
	compInitDate
	compChangeDate
	compSource
	compNote
	compExtra
	compGeom
	compColumns
)

// rawComponents reports whether rows with these fields can be decoded raw: the types this
// decoder reads, timestamps and WKB in binary format (pgx asks for binary results of the types
// it knows; jsonb it takes as text, so extra may come either way).
func rawComponents(fields []pgconn.FieldDescription) bool {
	if len(fields) != compColumns {
		return false
	}
	for i, f := range fields {
		want, binary := uint32(pgtype.TextOID), false
		switch i {
		case compInitDate, compChangeDate:
			want, binary = pgtype.TimestamptzOID, true
		case compExtra:
			want = pgtype.JSONBOID
		case compGeom:
			want, binary = pgtype.ByteaOID, true
		}
		if f.DataTypeOID != want || (binary && f.Format != pgtype.BinaryFormatCode) {
			return false
		}
	}
	return true
}

// decode fills c from one row's raw values (nil for NULL), of the fields rawComponents
// accepted. The values may be reused once it returns.
func (d *componentDecoder) decode(c *data.Component, fields []pgconn.FieldDescription, vals [][]byte) error {
	s := d.arena.Strings()
	*c = data.Component{
		ID:    s.Make(vals[compID]),
		Major: s.Intern(vals[compMajor]), Minor: s.Intern(vals[compMinor]), Name: s.Make(vals[compName]),
		Owner:      d.dept(vals[compOwnerCode], vals[compOwnerName]),
		Property:   d.dept(vals[compPropertyCode], vals[compPropertyName]),
		Maintainer: d.dept(vals[compMaintainerCode], vals[compMaintainerName]),
		Grid:       s.Intern(vals[compGrid]),
		Source:     s.Intern(vals[compSource]), Note: s.Make(vals[compNote]),
	}
	if err := c.Scheme.UnmarshalText(vals[compScheme]); err != nil {
		return fmt.Errorf("component %s: %w", c.ID, err)
	}
	if err := c.Status.UnmarshalText(vals[compStatus]); err != nil {
		return fmt.Errorf("component %s: %w", c.ID, err)
	}
	var err error
	if c.InitDate, err = pgDate(vals[compInitDate]); err != nil {
		return fmt.Errorf("component %s init_date: %w", c.ID, err)
	}
	if c.ChangeDate, err = pgDate(vals[compChangeDate]); err != nil {
		return fmt.Errorf("component %s change_date: %w", c.ID, err)
	}
	extra, err := d.extra(vals[compExtra], fields[compExtra].Format == pgtype.BinaryFormatCode)
	if err != nil {
		return fmt.Errorf("component %s extra: %w", c.ID, err)
	}
	c.Extra = d.arena.Extra(extra)
	if g := vals[compGeom]; g != nil {
		if p, ok := data.WKBPoint(g); ok {
			c.Geometry = d.arena.Point(p)
		} else {
			geom, err := decodeGeom(g)
			if err != nil {
				return fmt.Errorf("component %s: %w", c.ID, err)
			}
			c.Geometry = d.arena.Geometry(geom)
		}
	}
	return nil
}

func (d *componentDecoder) dept(code, name []byte) data.Dept {
	return d.arena.Strings().Dept(data.DeptRef{Code: d.arena.Strings().Intern(code), Name: d.arena.Strings().Intern(name)})
}

// extra reads a jsonb object of text values: its text, or in binary a version byte and then
// the text.
func (d *componentDecoder) extra(b []byte, binary bool) (map[string]string, error) {
	if b == nil {
		return nil, nil
	}
	if binary {
		if len(b) == 0 || b[0] != 1 {
			return nil, fmt.Errorf("jsonb format version %v", b[:min(1, len(b))])
		}
		b = b[1:]
	}
	v, err := d.parser.ParseBytes(b)
	if err != nil {
		return nil, err
	}
	return jsonattr.Extra(v, d.arena.Strings())
}

// pgEpochMicros is where binary timestamps count from, 2000-01-01 UTC, in Unix microseconds.
const pgEpochMicros = 946684800_000000

// pgDate reads a binary timestamptz (microseconds since 2000-01-01 UTC) as its UTC calendar
// date; NULL is no date.
func pgDate(b []byte) (data.Date, error) {
	if b == nil {
		return 0, nil
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("timestamptz of %d bytes", len(b))
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return 0, fmt.Errorf("infinite timestamp")
	}
	return data.DateOf(time.UnixMicro(us + pgEpochMicros).UTC()), nil
}
