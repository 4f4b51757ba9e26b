package importer

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// dbfReader streams the records of a dBASE III .dbf. It is our own (go-shapefile reads the
// .shp) because text decoding dominated a million-record import: ASCII fields, most of them
// (codes, dates, numbers), skip the decoder here.
type dbfReader struct {
	r       *bufio.Reader
	fields  []dbfField
	records int // as the header says
	read    int
	rec     []byte
	dec     *encoding.Decoder // nil: UTF-8
}

type dbfField struct {
	name string
	typ  byte
	len  int
}

func newDBFReader(r io.Reader, charset string) (*dbfReader, error) {
	d := &dbfReader{r: bufio.NewReaderSize(r, 1<<16)}
	switch charset {
	case "gb18030":
		d.dec = simplifiedchinese.GB18030.NewDecoder()
	case "iso-8859-1":
		d.dec = charmap.ISO8859_1.NewDecoder()
	}
	h := make([]byte, 32)
	if _, err := io.ReadFull(d.r, h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	d.records = int(binary.LittleEndian.Uint32(h[4:8]))
	headerLen := int(binary.LittleEndian.Uint16(h[8:10]))
	recLen := int(binary.LittleEndian.Uint16(h[10:12]))
	consumed, total := 32, 1
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("field descriptors: %w", err)
		}
		consumed++
		if b == 0x0d {
			break
		}
		fd := make([]byte, 32)
		fd[0] = b
		if _, err := io.ReadFull(d.r, fd[1:]); err != nil {
			return nil, fmt.Errorf("field descriptors: %w", err)
		}
		consumed += 31
		// The name ends at its first NUL (what follows may be junk) and is in the file's
		// charset like the values: a GBK .dbf names its columns in GBK (编码, 名称).
		raw, _, _ := bytes.Cut(fd[:11], []byte{0})
		name := d.text(bytes.TrimRight(raw, " "))
		f := dbfField{name: name, typ: fd[11], len: int(fd[16])}
		d.fields = append(d.fields, f)
		total += f.len
		if len(d.fields) > 2046 {
			return nil, errors.New("more than 2046 fields")
		}
	}
	if total != recLen {
		return nil, fmt.Errorf("fields add up to %d bytes, the header says records are %d", total, recLen)
	}
	if headerLen > consumed {
		if _, err := d.r.Discard(headerLen - consumed); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
	}
	d.rec = make([]byte, recLen)
	return d, nil
}

func (d *dbfReader) columns() []string {
	out := make([]string, len(d.fields))
	for i, f := range d.fields {
		out[i] = f.name
	}
	return out
}

// next returns the next record's values; deleted reports a record marked deleted (its shape
// is to be skipped too). It returns io.EOF after the last record.
func (d *dbfReader) next() (vals []any, deleted bool, err error) {
	if d.read >= d.records {
		return nil, false, io.EOF
	}
	if _, err := io.ReadFull(d.r, d.rec); err != nil {
		return nil, false, fmt.Errorf("record %d of %d: truncated .dbf: %w", d.read, d.records, err)
	}
	d.read++
	switch d.rec[0] {
	case ' ':
	case '*':
		return nil, true, nil
	default:
		return nil, false, fmt.Errorf("record %d: flag byte %#x", d.read-1, d.rec[0])
	}
	vals = make([]any, len(d.fields))
	off := 1
	for i, f := range d.fields {
		vals[i] = d.value(f, d.rec[off:off+f.len])
		off += f.len
	}
	return vals, false, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func (d *dbfReader) text(b []byte) string {
	switch {
	case isASCII(b):
		return string(b)
	case d.dec == nil:
		if utf8.Valid(b) {
			return string(b)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	s, err := d.dec.Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// value converts one field: text, numbers, dates and logicals; a number or date that does not
// parse is kept as its text so that validation can name it.
func (d *dbfReader) value(f dbfField, b []byte) any {
	b = bytes.Trim(b, " \x00")
	switch f.typ {
	case 'N', 'F':
		if len(b) == 0 {
			return nil
		}
		s := string(b)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
		return d.text(b)
	case 'D':
		if len(b) == 0 {
			return nil
		}
		if t, err := time.Parse("20060102", string(b)); err == nil {
			return t
		}
		return d.text(b)
	case 'L':
		switch string(b) {
		case "T", "t", "Y", "y":
			return true
		case "F", "f", "N", "n":
			return false
		}
		return nil
	}
	return d.text(b)
}
