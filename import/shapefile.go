package importer

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	shapefile "github.com/twpayne/go-shapefile"
)

// Limits that keep a hostile archive from exhausting memory or disk.
const (
	maxZipEntries = 1000
	maxZipRatio   = 200 // uncompressed:compressed, past which a member is treated as a bomb
)

type shpPart struct {
	open func() (io.ReadCloser, error)
	size int64
}

func readShapefile(p string, opts ReadOptions, fn func(*Source, *Feature) error) error {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return readShapefileZip(p, opts, fn)
	}
	base := strings.TrimSuffix(p, filepath.Ext(p))
	parts := map[string]shpPart{}
	for _, ext := range []string{".shp", ".dbf", ".prj", ".cpg"} {
		name := findSibling(base, ext)
		st, err := os.Stat(name)
		if err != nil {
			continue
		}
		if st.Size() > opts.maxSize() {
			return fmt.Errorf("%s: %d bytes, limit %d: %w", name, st.Size(), opts.maxSize(), ErrTooLarge)
		}
		parts[ext] = shpPart{open: func() (io.ReadCloser, error) { return os.Open(name) }, size: st.Size()}
	}
	return scanShapefile(p, filepath.Base(base), parts, opts, fn)
}

// findSibling returns base+ext, or the same name with the extension upper-cased if only that
// exists (ArcGIS on Windows writes .SHP/.DBF).
func findSibling(base, ext string) string {
	if _, err := os.Stat(base + ext); err != nil {
		if _, err := os.Stat(base + strings.ToUpper(ext)); err == nil {
			return base + strings.ToUpper(ext)
		}
	}
	return base + ext
}

// checkZip refuses path traversal, absolute names and members whose size or ratio makes them
// a zip bomb, before anything is decompressed.
func checkZip(name string, zr *zip.Reader, limit int64) error {
	if len(zr.File) > maxZipEntries {
		return fmt.Errorf("%s: %d entries (limit %d): %w", name, len(zr.File), maxZipEntries, ErrUnsafe)
	}
	var total uint64
	for _, f := range zr.File {
		n := strings.ReplaceAll(f.Name, `\`, "/")
		if path.IsAbs(n) || n == ".." || strings.HasPrefix(n, "../") || strings.Contains(n, "/../") || strings.HasSuffix(n, "/..") || hasDrive(n) {
			return fmt.Errorf("%s: member %q escapes the archive (zip slip): %w", name, f.Name, ErrUnsafe)
		}
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return fmt.Errorf("%s: members expand to more than %d bytes: %w", name, limit, ErrTooLarge)
		}
		if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxZipRatio && f.UncompressedSize64 > 1<<20 {
			return fmt.Errorf("%s: member %q expands %d→%d bytes (zip bomb): %w", name, f.Name, f.CompressedSize64, f.UncompressedSize64, ErrUnsafe)
		}
	}
	return nil
}

// hasDrive reports a Windows drive or UNC name (C:/x.shp, C:x.shp, //server/x): filepath.VolumeName
// sees none on Linux, where the archive is read, but a client on Windows would write there.
func hasDrive(n string) bool {
	if len(n) >= 2 && n[1] == ':' && (n[0]|0x20 >= 'a' && n[0]|0x20 <= 'z') {
		return true
	}
	return strings.HasPrefix(n, "//")
}

func readShapefileZip(p string, opts ReadOptions, fn func(*Source, *Feature) error) error {
	zf, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %v: %w", p, err, ErrFormat)
	}
	defer zf.Close()
	if err := checkZip(p, &zf.Reader, opts.maxSize()); err != nil {
		return err
	}
	layers := map[string]map[string]shpPart{}
	for _, f := range zf.File {
		ext := strings.ToLower(path.Ext(f.Name))
		base := strings.TrimSuffix(f.Name, path.Ext(f.Name))
		if strings.HasPrefix(path.Base(f.Name), "._") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		if layers[base] == nil {
			layers[base] = map[string]shpPart{}
		}
		f := f
		layers[base][ext] = shpPart{open: f.Open, size: int64(f.UncompressedSize64)}
	}
	var names []string
	for base, parts := range layers {
		if _, ok := parts[".shp"]; ok {
			names = append(names, base)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: no .shp in the archive: %w", p, ErrFormat)
	}
	sort.Strings(names)
	for _, base := range names {
		if err := scanShapefile(p+"!"+base+".shp", path.Base(base), layers[base], opts, fn); err != nil {
			return err
		}
	}
	return nil
}

// normaliseCharset maps .cpg contents and user names onto names charset.Lookup knows; GBK text
// is decoded as GB18030, its superset. It returns "" when the name says nothing useful.
func normaliseCharset(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "UTF-8", "UTF8", "65001":
		return "utf-8"
	case "GBK", "CP936", "936", "GB2312", "GB18030", "CP54936", "54936", "MS936", "WINDOWS-936":
		return "gb18030"
	case "ISO-8859-1", "LATIN1", "8859_1", "ISO88591", "1252", "CP1252", "ASCII", "US-ASCII":
		return "iso-8859-1"
	}
	return ""
}

// CheckCharset accepts "" (read the file's own, or guess) and the character sets a Shapefile's
// attributes are read in; any other name is an error, never a silent guess.
func CheckCharset(name string) error {
	if strings.TrimSpace(name) == "" || normaliseCharset(name) != "" {
		return nil
	}
	return fmt.Errorf("charset %q: want utf-8, gbk (gb2312, gb18030, cp936) or latin1", name)
}

// guessDBFCharset looks at up to 256 KiB of DBF records: valid UTF-8 means UTF-8, anything else
// is taken as GB18030 (GBK), the code page of Chinese ArcGIS and GDAL output.
func guessDBFCharset(r io.Reader) (string, error) {
	buf := make([]byte, 256<<10)
	n, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	buf = buf[:n]
	if len(buf) < 32 {
		return "utf-8", nil
	}
	hdr := int(buf[8]) | int(buf[9])<<8
	if hdr > len(buf) {
		hdr = len(buf)
	}
	body := buf[hdr:]
	// Drop a rune cut off at the end of the sample.
	for i := 0; i < 3 && len(body) > 0 && !utf8.Valid(body); i++ {
		body = body[:len(body)-1]
	}
	if utf8.Valid(body) {
		return "utf-8", nil
	}
	return "gb18030", nil
}

func readAllLimited(part shpPart, limit int64) ([]byte, error) {
	rc, err := part.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

func scanShapefile(name, layer string, parts map[string]shpPart, opts ReadOptions, fn func(*Source, *Feature) error) error {
	if _, ok := parts[".shp"]; !ok {
		return fmt.Errorf("%s: no .shp: %w", name, ErrFormat)
	}
	if _, ok := parts[".dbf"]; !ok {
		return fmt.Errorf("%s: the .dbf with the attributes is missing (a Shapefile needs .shp and .dbf side by side): %w", name, ErrFormat)
	}
	src := &Source{Path: name, Format: FormatShapefile, Layer: layer}
	switch {
	case opts.CRS != nil:
		src.CRS = *opts.CRS
	case parts[".prj"].open != nil:
		b, err := readAllLimited(parts[".prj"], 64<<10)
		if err != nil {
			return fmt.Errorf("%s: .prj: %w", name, err)
		}
		c, err := CRSFromPRJ(string(b))
		if err != nil {
			return fmt.Errorf("%s: .prj: %w", name, err)
		}
		src.CRS = c
	default:
		return fmt.Errorf("%s: no .prj and no --crs given: %w", name, ErrCRS)
	}
	src.Charset = normaliseCharset(opts.Charset)
	if src.Charset == "" && parts[".cpg"].open != nil {
		b, err := readAllLimited(parts[".cpg"], 1<<10)
		if err != nil {
			return fmt.Errorf("%s: .cpg: %w", name, err)
		}
		src.Charset = normaliseCharset(string(b))
	}
	if src.Charset == "" {
		rc, err := parts[".dbf"].open()
		if err != nil {
			return fmt.Errorf("%s: .dbf: %w", name, err)
		}
		src.Charset, err = guessDBFCharset(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: .dbf: %w", name, err)
		}
	}

	shpRC, err := parts[".shp"].open()
	if err != nil {
		return fmt.Errorf("%s: .shp: %w", name, err)
	}
	defer shpRC.Close()
	dbfRC, err := parts[".dbf"].open()
	if err != nil {
		return fmt.Errorf("%s: .dbf: %w", name, err)
	}
	defer dbfRC.Close()
	shpSize := parts[".shp"].size
	counted := &countingReader{r: shpRC, limit: opts.maxSize(), total: shpSize, progress: opts.Progress}
	// The .shp and .dbf scanners are used directly, in step: go-shapefile's combined Scanner
	// starts three goroutines per record, which costs more than the decoding at a million.
	// No record can be larger than the file: bounds what a corrupt header can make us allocate.
	shpSc, err := shapefile.NewScannerSHP(struct {
		io.Reader
		io.Closer
	}{counted, shpRC}, shpSize, &shapefile.ReadSHPOptions{MaxParts: int(shpSize/4) + 1, MaxPoints: int(shpSize/16) + 1, MaxRecordSize: int(shpSize) + 1})
	if err != nil {
		return fmt.Errorf("%s: .shp: %v: %w", name, err, ErrFormat)
	}
	dbf, err := newDBFReader(dbfRC, src.Charset)
	if err != nil {
		return fmt.Errorf("%s: .dbf: %v: %w", name, err, ErrFormat)
	}
	src.Columns = dbf.columns()
	i := 0
	for {
		rec, err := shpSc.Scan()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: .shp record %d: %v: %w", name, i, err, ErrFormat)
		}
		attrs, deleted, err := dbf.next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: the .dbf has %d records, fewer than the shapes in the .shp: %w", name, dbf.records, ErrFormat)
		}
		if err != nil {
			return fmt.Errorf("%s: .dbf: %v: %w", name, err, ErrFormat)
		}
		if deleted { // a deleted attribute record deletes its shape too
			continue
		}
		f := &Feature{Index: i, Props: make(map[string]any, len(src.Columns))}
		for j, col := range src.Columns {
			f.Props[col] = attrs[j]
		}
		g, err := fromGeom(rec.Geom)
		if err != nil {
			return fmt.Errorf("%s: record %d: %w", name, i, err)
		}
		f.Geometry = toCGCS2000(src.CRS, g)
		if err := fn(src, f); err != nil {
			return err
		}
		i++
	}
	if _, _, err := dbf.next(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: the .dbf has more records than the .shp's shapes (truncated .shp?): %w", name, ErrFormat)
	}
	return nil
}
