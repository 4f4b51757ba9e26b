package importer

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// gpkgSelect is the column list that reads table name: its columns in order, the DATE,
// DATETIME and TIMESTAMP ones as +"col" (the same value without its declared type) so that
// the driver hands over their text instead of parsing it, and gpkgTime does, faster. dates
// marks those columns by position. A table whose columns cannot be listed is read as *.
func gpkgSelect(ctx context.Context, db *sql.DB, name string) (list string, dates []bool) {
	rows, err := db.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", name)
	if err != nil {
		return "*", nil
	}
	defer rows.Close()
	var cols []string
	hasDate := false
	for rows.Next() {
		var col, typ string
		if rows.Scan(&col, &typ) != nil {
			return "*", nil
		}
		switch strings.ToUpper(typ) {
		case "DATE", "DATETIME", "TIMESTAMP": // the declared types the driver parses
			cols = append(cols, "+"+quoteIdent(col)+" AS "+quoteIdent(col))
			dates, hasDate = append(dates, true), true
		default:
			cols = append(cols, quoteIdent(col))
			dates = append(dates, false)
		}
	}
	if rows.Err() != nil || len(cols) == 0 || !hasDate {
		return "*", nil
	}
	return strings.Join(cols, ", "), dates
}

// driverTimeFormats are the layouts modernc.org/sqlite tries, in its order, on the text of a
// column declared DATE, DATETIME or TIMESTAMP (its parseTimeFormats).
var driverTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// gpkgTime is the value the driver makes of a date column's text s: a time.Time when one of
// its layouts reads s, else s. A GeoPackage DATE (YYYY-MM-DD, the common case) is read without
// time.Parse: the driver's parsing of two dates a component cost an import seconds.
func gpkgTime(s string) any {
	if t, ok := isoDate(s); ok {
		return t
	}
	// The driver first tries time.Time.String's layout, cut before a monotonic "m=" reading.
	str := s
	if x := strings.Index(str, "m="); x > 0 {
		str = str[:x]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
		return t
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, f := range driverTimeFormats {
		if t, err := time.Parse(f, ts); err == nil {
			return t
		}
	}
	return s
}

// isoDate reads YYYY-MM-DD as time.Parse("2006-01-02", s) does: UTC midnight of a real date.
func isoDate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d { // 2013-02-30 or month 13: no date
		return time.Time{}, false
	}
	return t, true
}
