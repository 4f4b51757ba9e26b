package export

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"citygeo/schema"
)

// dbfField is how one column is stored in a .dbf: type letter, width and decimals.
type dbfField struct {
	typ        byte // C text, N number, D date (YYYYMMDD), L logical
	width, dec int
}

var (
	dbfInteger = regexp.MustCompile(`^-?[0-9]+$`)
	dbfDecimal = regexp.MustCompile(`^-?[0-9]+(\.([0-9]+))?$`)
	dbfDate    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// dbfMaxNumber is the widest N field readers agree on.
const dbfMaxNumber = 20

// dbfFieldOf picks the field for a column of type t holding values: N, D or L when every
// non-empty value fits that type, C (text, as wide as the longest value) otherwise.
func dbfFieldOf(t schema.Type, values []string) dbfField {
	all := func(re *regexp.Regexp) bool {
		for _, s := range values {
			if s != "" && !re.MatchString(s) {
				return false
			}
		}
		return true
	}
	text := dbfField{typ: 'C', width: 1}
	for _, s := range values {
		text.width = max(text.width, len(s))
	}
	switch {
	case t == schema.Integer && all(dbfInteger):
		if text.width <= dbfMaxNumber {
			return dbfField{typ: 'N', width: text.width}
		}
	case t == schema.Number && all(dbfDecimal):
		f := dbfField{typ: 'N', width: 1}
		for _, s := range values {
			if m := dbfDecimal.FindStringSubmatch(s); m != nil {
				f.dec = max(f.dec, len(m[2]))
			}
		}
		for _, s := range values {
			f.width = max(f.width, len(f.format(s)))
		}
		if f.width <= dbfMaxNumber {
			return f
		}
	case t == schema.Date && all(dbfDate):
		return dbfField{typ: 'D', width: 8}
	case t == schema.Bool:
		return dbfField{typ: 'L', width: 1}
	}
	return text
}

// format renders s as the field stores it, not yet padded.
func (f dbfField) format(s string) string {
	if s == "" {
		return ""
	}
	switch f.typ {
	case 'N':
		if f.dec > 0 {
			v, _ := strconv.ParseFloat(s, 64)
			return strconv.FormatFloat(v, 'f', f.dec, 64)
		}
	case 'D':
		return strings.ReplaceAll(s, "-", "")
	case 'L':
		if schema.ParseBool(s) {
			return "T"
		}
		return "F"
	}
	return s
}

// dbfLanguageGBK is the .dbf language driver id of code page 936 (GBK), which ArcGIS reads
// when a .cpg is missing; UTF-8 has none, so the .cpg alone names it.
const dbfLanguageGBK = 0x4d

// writeDBF writes the layer's attributes in charset ("gbk" or UTF-8), one field per column,
// names shortened to 10 bytes by dbfNames.
func writeDBF(path string, l layer, charset string) error {
	enc := func(s string) ([]byte, error) { return []byte(s), nil }
	if charset == GBK {
		e := simplifiedchinese.GBK.NewEncoder()
		enc = func(s string) ([]byte, error) {
			b, err := e.Bytes([]byte(s))
			if err != nil {
				return nil, fmt.Errorf("%q has a character GBK cannot encode; export as utf-8: %w", s, ErrUnwritable)
			}
			return b, nil
		}
	}
	size := func(s string) int {
		b, err := enc(s)
		if err != nil {
			return len(s)
		}
		return len(b)
	}
	colNames := make([]string, len(l.cols))
	for i, c := range l.cols {
		colNames[i] = c.Name
	}
	names := dbfNames(colNames, size)
	for _, n := range names {
		if _, err := enc(n); err != nil {
			return fmt.Errorf("column name: %w", err)
		}
	}
	fields := make([]dbfField, len(l.cols))
	for i, c := range l.cols {
		values := make([]string, len(l.records))
		for j, r := range l.records {
			values[j] = r.props[c.Name]
		}
		fields[i] = dbfFieldOf(c.Type, values)
		width, widest := 1, 0
		for j, v := range values {
			b, err := enc(fields[i].format(v))
			if err != nil {
				return fmt.Errorf("feature %d, column %s: %w", j, c.Name, err)
			}
			if len(b) > width {
				width, widest = len(b), j
			}
		}
		if fields[i].typ == 'C' {
			fields[i].width = width
		}
		if fields[i].width > 254 {
			return fmt.Errorf("column %s of %s holds a value of %d bytes, more than a .dbf field's 254; export as gpkg or geojson: %w",
				c.Name, recordName(l, widest), fields[i].width, ErrUnwritable)
		}
	}
	recLen := 1
	for _, f := range fields {
		recLen += f.width
	}
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	defer file.Close()
	w := bufio.NewWriter(file)
	h := make([]byte, 32)
	now := time.Now()
	h[0], h[1], h[2], h[3] = 3, byte(now.Year()-1900), byte(now.Month()), byte(now.Day())
	if charset == GBK {
		h[29] = dbfLanguageGBK
	}
	binary.LittleEndian.PutUint32(h[4:], uint32(len(l.records)))
	binary.LittleEndian.PutUint16(h[8:], uint16(32+32*len(fields)+1))
	binary.LittleEndian.PutUint16(h[10:], uint16(recLen))
	w.Write(h)
	for i := range l.cols {
		fd := make([]byte, 32)
		name, _ := enc(names[i]) // names were sized by enc, so they encode
		copy(fd[:11], name)
		fd[11] = fields[i].typ
		fd[16] = byte(fields[i].width)
		fd[17] = byte(fields[i].dec)
		w.Write(fd)
	}
	w.WriteByte(0x0d)
	rec := make([]byte, recLen)
	for j := range l.records {
		for i := range rec {
			rec[i] = ' '
		}
		off := 1
		for i := range l.cols {
			f := fields[i]
			s, _ := enc(f.format(l.records[j].props[l.cols[i].Name])) // encoded once already
			if f.typ == 'N' {                                         // numbers are right-aligned
				copy(rec[off+f.width-len(s):], s)
			} else {
				copy(rec[off:], s)
			}
			off += f.width
		}
		w.Write(rec)
	}
	w.WriteByte(0x1a)
	if err := w.Flush(); err != nil {
		return err
	}
	return file.Close()
}

// recordName names record j of l for an error: its id — the column of its kind's key, or a
// table's first column (a case number) — and its position counted from 1.
func recordName(l layer, j int) string {
	for i, c := range l.cols {
		if (l.kind != "" && c.Key == schema.Key(l.kind)) || (l.kind == "" && i == 0) {
			if id := l.records[j].props[c.Name]; id != "" {
				return fmt.Sprintf("%s %s (feature %d)", c.Name, id, j+1)
			}
		}
	}
	return fmt.Sprintf("feature %d", j+1)
}
