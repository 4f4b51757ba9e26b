package duty

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Table is one duty list as read from a file, before its values are checked: the rows with
// their cells keyed by field (see columns). Every format becomes Tables, and one parser reads
// them, so a roster reads the same from CSV, JSON and a workbook.
type Table struct {
	List   List
	Source string // the file, with the sheet of a workbook ("roster.xlsx#人员") or the key of a JSON document
	Rows   []Row
}

// Row is one record: its number as the user finds it (CSV line, sheet row, 1-based JSON item)
// and its cells by field key, trimmed. A cell that is empty is absent.
type Row struct {
	N     int
	Cells map[string]string
}

// ErrFormat is wrapped by the errors of files that cannot be read as duty lists at all (as
// opposed to findings in rows).
var ErrFormat = errors.New("duty list format")

func listKeys() string {
	ks := make([]string, len(Lists))
	for i, l := range Lists {
		ks[i] = string(l)
	}
	return strings.Join(ks, ", ")
}

// ReadCSV reads list l from CSV with a header row. Text that is not UTF-8 is read as GB18030
// (what Excel writes on a Chinese Windows desktop); a UTF-8 byte-order mark is dropped.
func ReadCSV(l List, source string, r io.Reader) (Table, Findings, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Table{}, nil, fmt.Errorf("read %s: %w", source, err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	if !utf8.Valid(raw) {
		if raw, err = simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err != nil {
			return Table{}, nil, fmt.Errorf("%w: %s: neither UTF-8 nor GB18030: %v", ErrFormat, source, err)
		}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return Table{}, nil, fmt.Errorf("%w: %s: %v", ErrFormat, source, err)
	}
	t, fs := TableOf(l, source, 1, recs)
	return t, fs, nil
}

// TableOf turns a header row and the records under it into a Table of list l: headerRow is the
// header's row number as the user sees it (1 in a CSV file), the records follow it. Every
// reader (CSV, a workbook's sheets) ends here, so headers are matched one way.
func TableOf(l List, source string, headerRow int, recs [][]string) (Table, Findings) {
	t := Table{List: l, Source: source}
	if len(recs) == 0 {
		return t, Findings{{Source: source, Field: "header", Reason: "empty: no header row"}}
	}
	keys, fs := checkHeader(l, source, headerRow, recs[0])
	for i, rec := range recs[1:] {
		row := Row{N: headerRow + i + 1, Cells: map[string]string{}}
		for j, v := range rec {
			if j < len(keys) && keys[j] != "" {
				if v = strings.TrimSpace(v); v != "" {
					row.Cells[keys[j]] = v
				}
			}
		}
		if len(row.Cells) > 0 { // blank lines in a spreadsheet are no records
			t.Rows = append(t.Rows, row)
		}
	}
	return t, fs
}

// ReadJSON reads a JSON document {"people": [...], "segments": [...], …}. Each item is an
// object keyed by field; numbers and booleans read as their text, an array of values as the
// values joined by ";" (grids, days), and an object as its JSON text (a GeoJSON polygon).
func ReadJSON(source string, r io.Reader) ([]Table, Findings, error) {
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrFormat, source, err)
	}
	var out []Table
	var fs Findings
	names := make([]string, 0, len(doc))
	for k := range doc {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		l, ok := ListOf(k)
		if !ok {
			fs = append(fs, Finding{Source: source, Field: k, Warning: true, Reason: "not a duty list; the lists are " + listKeys()})
			continue
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(doc[k], &items); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %s: want an array of objects: %v", ErrFormat, source, k, err)
		}
		src := source + "#" + k
		t := Table{List: l, Source: src}
		unknown := map[string]bool{}
		for i, it := range items {
			row := Row{N: i + 1, Cells: map[string]string{}}
			for name, v := range it {
				key := headerKey(l, name)
				if key == "" {
					if !unknown[name] {
						unknown[name] = true
						fs = append(fs, Finding{Source: src, Row: i + 1, Field: name, Warning: true,
							Reason: fmt.Sprintf("field not read; the %s list has %s", l, keys(l))})
					}
					continue
				}
				s, err := jsonCell(v)
				if err != nil {
					fs = append(fs, Finding{Source: src, Row: i + 1, Field: key, Value: string(v), Reason: err.Error()})
					continue
				}
				if s != "" {
					row.Cells[key] = s
				}
			}
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	return out, fs, nil
}

// jsonCell returns a JSON value as cell text.
func jsonCell(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return "", nil
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return strings.TrimSpace(s), err
	case '{':
		return string(v), nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return "", err
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			s, err := jsonCell(it)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
				return "", errors.New("want a list of plain values")
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ";"), nil
	}
	// A number or a boolean: its literal text.
	if _, err := strconv.ParseFloat(string(v), 64); err == nil || string(v) == "true" || string(v) == "false" {
		return string(v), nil
	}
	return "", fmt.Errorf("not a JSON value")
}

// IsHeader reports whether a row names a field of list l: the header of a sheet that has title
// lines above it.
func IsHeader(l List, rec []string) bool {
	for _, h := range rec {
		if headerKey(l, h) != "" {
			return true
		}
	}
	return false
}
