package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Column names recognised as coordinates, lower-cased.
var (
	lonCols = []string{"lon", "lng", "long", "longitude", "x", "经度", "easting"}
	latCols = []string{"lat", "latitude", "y", "纬度", "northing"}
	wktCols = []string{"wkt", "geometry", "geom", "the_geom", "shape"}
)

func readCSVFile(path string, opts ReadOptions, fn func(*Source, *Feature) error) error {
	file, cr, err := openLimited(path, opts)
	if err != nil {
		return err
	}
	defer file.Close()
	src := &Source{Path: path, Format: FormatCSV, Layer: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), CRS: geo.CGCS2000}
	if err := ReadCSV(cr, src, opts, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadCSV streams rows of a CSV with a header row. Geometry comes from a WKT column (wkt,
// geometry, geom) or from lon/lat columns (lon/lng/longitude/x/经度, lat/latitude/y/纬度); rows
// without either get no geometry (a department list, say). Text is UTF-8 (with or without BOM)
// or GB18030, detected from the first 64 KiB unless opts.Charset says.
func ReadCSV(r io.Reader, src *Source, opts ReadOptions, fn func(*Source, *Feature) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	src.Charset = normaliseCharset(opts.Charset)
	if src.Charset == "" {
		peek, _ := br.Peek(64 << 10)
		peek = bytes.TrimPrefix(peek, []byte("\xef\xbb\xbf"))
		for i := 0; i < 3 && len(peek) > 0 && !utf8.Valid(peek); i++ {
			peek = peek[:len(peek)-1]
		}
		src.Charset = "utf-8"
		if !utf8.Valid(peek) {
			src.Charset = "gb18030"
		}
	}
	var in io.Reader = br
	if src.Charset == "gb18030" {
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	} else if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	if opts.CRS != nil {
		src.CRS = *opts.CRS
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("header: %v: %w", err, ErrFormat)
	}
	header = append([]string(nil), header...)
	src.Columns = header
	find := func(names []string) int {
		for i, h := range header {
			for _, n := range names {
				if strings.EqualFold(strings.TrimSpace(h), n) {
					return i
				}
			}
		}
		return -1
	}
	wktCol, lonCol, latCol := find(wktCols), find(lonCols), find(latCols)
	if wktCol < 0 && (lonCol < 0) != (latCol < 0) {
		return fmt.Errorf("header has only one of the lon/lat columns: %w", ErrFormat)
	}
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("row %d: %v: %w", i+2, err, ErrFormat)
		}
		if src.Charset == "utf-8" {
			// The charset was stated, or guessed from the first 64 KiB: a later row in another
			// (GBK text past an ASCII start) would otherwise be stored as mojibake.
			for j, v := range rec {
				if !utf8.ValidString(v) {
					col := strconv.Itoa(j + 1)
					if j < len(header) {
						col = header[j]
					}
					return fmt.Errorf("row %d, column %s: not UTF-8, as the file was read (its first 64 KiB are); if it is GBK, import it with --charset gbk: %w", i+2, col, ErrFormat)
				}
			}
		}
		f := &Feature{Index: i, Props: make(map[string]any, len(header))}
		for j, h := range header {
			if j < len(rec) && j != wktCol && j != lonCol && j != latCol {
				f.Props[h] = rec[j]
			}
		}
		switch {
		case wktCol >= 0 && wktCol < len(rec) && strings.TrimSpace(rec[wktCol]) != "":
			g, err := wkt.Unmarshal(rec[wktCol])
			if err != nil {
				return fmt.Errorf("row %d, column %s: %v: %w", i+2, header[wktCol], err, ErrFormat)
			}
			f.Geometry = toCGCS2000(src.CRS, g)
		case lonCol >= 0 && latCol >= 0 && lonCol < len(rec) && latCol < len(rec) && strings.TrimSpace(rec[lonCol]) != "":
			x, err1 := strconv.ParseFloat(strings.TrimSpace(rec[lonCol]), 64)
			y, err2 := strconv.ParseFloat(strings.TrimSpace(rec[latCol]), 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("row %d, columns %s/%s: %q, %q are not numbers: %w", i+2, header[lonCol], header[latCol], rec[lonCol], rec[latCol], ErrFormat)
			}
			f.Geometry = toCGCS2000(src.CRS, orb.Point{x, y})
		}
		if err := fn(src, f); err != nil {
			return err
		}
	}
}
