package importer

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// Errors returned by the readers and Import.
var (
	ErrFormat     = errors.New("unsupported or malformed file")
	ErrTooLarge   = errors.New("file too large")
	ErrCRS        = geo.ErrCRS // geo.ParseCRS's error, so one errors.Is serves both packages
	ErrValidation = errors.New("validation found errors")
	ErrUnsafe     = errors.New("unsafe archive")
	// errLayerUnknown marks a source whose layer neither the mapping nor its name and columns
	// identify: the client's mistake, reported as an error finding naming the file.
	errLayerUnknown = errors.New("layer not identified")
)

// DefaultMaxFileSize is the largest input file (or zip member total) read unless ReadOptions
// says otherwise.
const DefaultMaxFileSize = 1 << 30

// Feature is one record as read from a file: geometry in the file's CRS and its attributes.
// Attribute values are string, float64, int64, bool, time.Time or nil.
type Feature struct {
	Index    int // 0-based position in the file (or table)
	Geometry orb.Geometry
	Props    map[string]any
	// Values, when not nil, holds the value of each of its source's Columns in order (NULL as
	// nil) and stands for Props, which is then nil: a table's reader fills a slice per row
	// instead of assigning a dozen map keys (on a 2M-row GeoPackage those assignments were a
	// tenth of the import). Only a source with EveryColumn sets it.
	Values []any
}

// Prop returns the value of column col of f from source src, and whether f has that column.
func (f *Feature) Prop(src *Source, col string) (any, bool) {
	if f.Values == nil {
		v, ok := f.Props[col]
		return v, ok
	}
	if i := slices.Index(src.Columns, col); i >= 0 && i < len(f.Values) {
		return f.Values[i], true
	}
	return nil, false
}

// each calls fn with each column of f and its value: Props's keys, or src's Columns.
func (f *Feature) each(src *Source, fn func(col string, v any)) {
	if f.Values == nil {
		for k, v := range f.Props {
			fn(k, v)
		}
		return
	}
	for i, col := range src.Columns {
		if i < len(f.Values) {
			fn(col, f.Values[i])
		}
	}
}

// Format names an input file format.
type Format string

// The formats Read understands.
const (
	FormatGeoJSON    Format = "geojson"
	FormatNDJSON     Format = "ndjson"
	FormatShapefile  Format = "shapefile"
	FormatGeoPackage Format = "gpkg"
	FormatCSV        Format = "csv"
)

// Source describes one layer of an input file.
type Source struct {
	Path    string
	Format  Format
	Layer   string  // the file's base name, or the GeoPackage table name
	CRS     geo.CRS // as detected or as forced by ReadOptions.CRS
	Charset string  // text encoding used for a Shapefile DBF or CSV
	Columns []string
	// EveryColumn says that every feature's Props has exactly the keys in Columns (a table's
	// columns, NULL as nil), so the converter resolves the fields once per source instead of
	// looking at every feature's keys.
	EveryColumn bool
}

// ReadOptions control Read. The zero value reads any supported file up to DefaultMaxFileSize,
// detecting CRS and text encoding.
type ReadOptions struct {
	CRS         *geo.CRS // overrides the CRS found in the file (.prj, gpkg srs, GeoJSON crs)
	Charset     string   // overrides Shapefile/CSV text detection: "utf-8", "gbk", "gb18030"
	MaxFileSize int64    // 0 means DefaultMaxFileSize
	// Progress, when set, is called now and then with bytes consumed so far and the total.
	Progress func(done, total int64)
}

func (o ReadOptions) maxSize() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return DefaultMaxFileSize
}

// FormatOf guesses a file's format from its name.
func FormatOf(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".geojson", ".json":
		return FormatGeoJSON, nil
	case ".ndjson", ".geojsonl", ".geojsonseq", ".jsonl":
		return FormatNDJSON, nil
	case ".shp", ".zip":
		return FormatShapefile, nil
	case ".gpkg":
		return FormatGeoPackage, nil
	case ".csv", ".txt":
		return FormatCSV, nil
	default:
		return "", fmt.Errorf("%s: extension %q: %w (want .geojson, .ndjson, .shp, .zip, .gpkg or .csv)", path, ext, ErrFormat)
	}
}

// Read streams every feature of the file at path to fn, in order, with geometry converted to
// CGCS2000 lon/lat. A GeoPackage calls fn for each feature table in turn; fn receives the
// source each feature came from. Read stops at the first error from fn or from the file.
// fn must not keep f, f.Props or f.Values once it returns: a reader may reuse them for the next feature
// (the geometry and the property values are the caller's).
func Read(path string, opts ReadOptions, fn func(*Source, *Feature) error) error {
	f, err := FormatOf(path)
	if err != nil {
		return err
	}
	switch f {
	case FormatGeoJSON, FormatNDJSON:
		return readGeoJSONFile(path, f, opts, fn)
	case FormatShapefile:
		return readShapefile(path, opts, fn)
	case FormatGeoPackage:
		return readGeoPackage(path, opts, fn)
	default:
		return readCSVFile(path, opts, fn)
	}
}

// text renders an attribute value as the string a code or name field wants: integral floats
// lose their ".0" (DBF and JSON store codes as numbers).
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if v == "" || plainEnd(v[0]) && plainEnd(v[len(v)-1]) {
			return v // nothing to trim, the common case: TrimSpace cost a second on 2M components
		}
		first, _ := utf8.DecodeRuneInString(v)
		last, _ := utf8.DecodeLastRuneInString(v)
		if !unicode.IsSpace(first) && !unicode.IsSpace(last) {
			return v
		}
		return strings.TrimSpace(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e17 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return dateText(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// plainEnd reports whether b, a text's first or last byte, is printable ASCII other than a
// space: no space of any kind can start or end there, so the text needs no trimming.
func plainEnd(b byte) bool { return b > ' ' && b < utf8.RuneSelf }

// dateText writes t's date as YYYY-MM-DD, as t.Format("2006-01-02") does for years 0–9999,
// without reading a layout: two dates of each of a large layer's components cost 0.3 s of
// its import through Format.
func dateText(t time.Time) string {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format("2006-01-02")
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}
