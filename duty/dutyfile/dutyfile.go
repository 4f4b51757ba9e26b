// Package dutyfile reads duty-list files of any format a 城管办 keeps them in — CSV files named
// after their list, one JSON document, an .xlsx workbook with a sheet per list — into the
// tables package duty parses.
//
// It is apart from package duty because the workbook library (excelize) links net/http (for
// the content types of pictures in a sheet), and the domain packages link no HTTP; nothing
// here serves or fetches anything.
package dutyfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"citygeo/duty"
)

// Read reads one file of duty lists by its extension: .csv (one list, named by the file, as
// duty.ListOf reads it), .json (duty.ReadJSON) or .xlsx (ReadXLSX). Header problems are
// findings; a file that cannot be read at all is an error wrapping duty.ErrFormat.
func Read(name string, r io.Reader) ([]duty.Table, duty.Findings, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		l, ok := duty.ListOf(name)
		if !ok {
			return nil, nil, fmt.Errorf("%w: %s: name a CSV file after its list (%s, or 人员, 路段 …)", duty.ErrFormat, name, listKeys())
		}
		t, fs, err := duty.ReadCSV(l, filepath.Base(name), r)
		if err != nil {
			return nil, nil, err
		}
		return []duty.Table{t}, fs, nil
	case ".json":
		return duty.ReadJSON(filepath.Base(name), r)
	case ".xlsx":
		return ReadXLSX(filepath.Base(name), r)
	}
	return nil, nil, fmt.Errorf("%w: %s: want .csv, .json or .xlsx", duty.ErrFormat, name)
}

func listKeys() string {
	ks := make([]string, len(duty.Lists))
	for i, l := range duty.Lists {
		ks[i] = string(l)
	}
	return strings.Join(ks, ", ")
}

// ReadXLSX reads a workbook with one sheet per list, each named after its list (人员, 路段 …, or
// people, segments …) with a header in its first row, or under title lines. Other sheets
// (notes, instructions) are warnings. Cells are read as stored, so a date typed as a date
// reads as its serial number (which date fields take) rather than in a display format.
func ReadXLSX(source string, r io.Reader) ([]duty.Table, duty.Findings, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: not an .xlsx workbook: %v", duty.ErrFormat, source, err)
	}
	defer f.Close()
	var out []duty.Table
	var fs duty.Findings
	for _, sheet := range f.GetSheetList() {
		src := source + "#" + sheet
		l, ok := duty.ListOf(sheet)
		if !ok {
			fs = append(fs, duty.Finding{Source: src, Warning: true, Reason: "sheet not read: name a sheet after its list (" + listKeys() + ", or 人员, 路段 …)"})
			continue
		}
		recs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %v", duty.ErrFormat, src, err)
		}
		// Rows above the header (a title line) are common: the header is the first row with a
		// cell naming a field of the list.
		start := 0
		for start < len(recs) && !duty.IsHeader(l, recs[start]) {
			start++
		}
		if start == len(recs) {
			start = 0
		}
		t, tfs := duty.TableOf(l, src, start+1, recs[start:])
		out = append(out, t)
		fs = append(fs, tfs...)
	}
	return out, fs, nil
}

// ReadFiles reads and parses duty-list files (any mix of .csv, .json and .xlsx). Findings are
// problems in rows; the error is a file that cannot be read at all.
func ReadFiles(paths ...string) (*duty.Roster, duty.Findings, error) {
	var tables []duty.Table
	var fs duty.Findings
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, nil, fmt.Errorf("open duty list: %w", err)
		}
		ts, tfs, err := Read(p, f)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		tables, fs = append(tables, ts...), append(fs, tfs...)
	}
	r, pfs := duty.Parse(tables)
	return r, append(fs, pfs...), nil
}
