package importer

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestGPKGTimeMatchesDriver reads date texts from DATE, DATETIME and TIMESTAMP columns both ways:
// as the driver delivers the column, and as gpkgSelect's +"col" text through gpkgTime. The
// two must agree on every value (the same instant in the same zone, or the same text), so that
// a GeoPackage reads as it did through the driver, and a driver upgrade that changes its
// parsing fails here.
func TestGPKGTimeMatchesDriver(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t(n TEXT, d DATE, dt DATETIME, ts timestamp, x TEXT)`); err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"2013-08-29", "0000-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "2013-02-30", "2013-13-01",
		"2013-00-10", "2013-8-29", "20130829", "2013/08/29", " 2013-08-29", "2013-08-29 ", "",
		"2013-08-29T10:00:00Z", "2013-08-29T10:00:00.123Z", "2013-08-29T23:30:00+08:00", "2013-08-29 10:00:00",
		"2013-08-29 10:00", "2013-08-29T10:00", "2013-08-29 10:00:00.5-05:00",
		"2013-08-29 10:00:00 +0800 CST", "2013-08-29 10:00:00.123456789 +0000 UTC m=+0.000000001",
		"not a date", "大塘",
	}
	for _, s := range texts {
		if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES (?, ?, ?, ?, ?)`, s, s, s, s, s); err != nil {
			t.Fatal(err)
		}
	}
	list, dates := gpkgSelect(ctx, db, "t")
	if want := []bool{false, true, true, true, false}; len(dates) != len(want) {
		t.Fatalf("dates %v, want %v", dates, want)
	} else {
		for i := range want {
			if dates[i] != want[i] {
				t.Fatalf("dates %v, want %v (from %s)", dates, want, list)
			}
		}
	}
	driver := readAll(t, db, "SELECT * FROM t")
	ours := readAll(t, db, "SELECT "+list+" FROM t")
	for i, s := range texts {
		for j := 1; j <= 3; j++ {
			want, got := driver[i][j], ours[i][j]
			if str, ok := got.(string); ok {
				got = gpkgTime(str)
			}
			if !sameValue(got, want) {
				t.Errorf("%q in column %d: gpkgTime gives %#v, the driver %#v", s, j, got, want)
			}
		}
		if ours[i][4] != s {
			t.Errorf("%q in a TEXT column read as %#v", s, ours[i][4])
		}
	}
}

func readAll(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, 5)
		ptrs := make([]any, 5)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	return out
}

// sameValue: equal texts, or the same instant with the same zone name and offset.
func sameValue(a, b any) bool {
	ta, okA := a.(time.Time)
	tb, okB := b.(time.Time)
	if okA != okB {
		return false
	}
	if !okA {
		return a == b
	}
	na, oa := ta.Zone()
	nb, ob := tb.Zone()
	return ta.Equal(tb) && na == nb && oa == ob && ta.Location().String() == tb.Location().String()
}
