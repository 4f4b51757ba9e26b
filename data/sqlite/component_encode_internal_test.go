package sqlite

import (
	"bytes"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"citygeo/data"
	"citygeo/data/sample"
)

// propsOf is the componentProps that json.Marshal wrote for c before componentEncoder: the
// encoder must write the same bytes, so stores written before and after read alike.
func propsOf(c *data.Component) componentProps {
	date := func(d data.Date) *time.Time {
		if d.IsZero() {
			return nil
		}
		t := d.Time()
		return &t
	}
	return componentProps{Scheme: c.Scheme, Major: c.Major, Minor: c.Minor, Name: c.Name,
		Owner: c.Owner.Ref(), Property: c.Property.Ref(), Maintainer: c.Maintainer.Ref(), Grid: c.Grid, Status: c.Status,
		InitDate: date(c.InitDate), ChangeDate: date(c.ChangeDate), Source: c.Source, Note: c.Note, Extra: c.Extra}
}

func day(y int, m time.Month, d int) data.Date {
	return data.DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// checkEncode fails unless e encodes c as json.Marshal encodes propsOf(c), errors included.
func checkEncode(t *testing.T, e *componentEncoder, c *data.Component) {
	t.Helper()
	want, wantErr := json.Marshal(propsOf(c))
	got, err := e.encode(c)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("encode error %v, json.Marshal error %v", err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encode:\n%s\njson.Marshal:\n%s", got, want)
	}
}

func TestComponentEncoderMatchesJSON(t *testing.T) {
	city := data.MakeDept("11440303340007919Y", "深圳市罗湖区城市管理和综合执法局")
	full := data.Component{ID: "4403030118000001", Scheme: data.CJT214, Major: "01", Minor: "18", Name: "大塘龙一路路灯0001",
		Owner: city, Property: data.MakeDept("", "水务集团"), Maintainer: data.MakeDept("M1", ""), Grid: "440303001001002",
		Status: data.StatusDamaged, InitDate: data.DateOf(time.Date(2011, 11, 30, 0, 0, 0, 0, time.UTC)),
		ChangeDate: data.DateOf(time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)), Source: "实测", Note: "北侧",
		Extra: map[string]string{"MATERIAL": "铸铁", "A": "<b>", "z": ""}}
	for _, tc := range []struct {
		name string
		c    data.Component
	}{
		{"every field", full},
		{"nothing but the id", data.Component{ID: "4403030118000002"}},
		{"gb scheme", data.Component{Scheme: data.Scheme(2), Major: "02", Minor: "004"}},
		{"scheme out of range", data.Component{Scheme: data.Scheme(200)}},
		{"status out of range", data.Component{Status: data.Status(200)}},
		{"quotes and backslashes", data.Component{Name: `a"b\c`, Note: `\u4e2d`}},
		{"html characters", data.Component{Name: "<script>&", Grid: "a>b"}},
		{"control characters", data.Component{Name: "a\nb\tc\x01", Source: "\x7f"}},
		{"line separators", data.Component{Name: "a\u2028b", Note: "c\u2029d"}},
		{"invalid utf-8", data.Component{Name: "a\xffb", Note: "\xe4\xb8"}},
		{"emoji and cjk", data.Component{Name: "井盖🚧", Source: "普查"}},
		{"department with html", data.Component{Owner: data.MakeDept("<1>", "A&B")}},
		{"empty extra", data.Component{Extra: map[string]string{}}},
		{"dates at the ends of four digits", data.Component{InitDate: day(0, 1, 1), ChangeDate: day(9999, 12, 31)}},
		{"date past year 9999", data.Component{InitDate: day(10000, 1, 1)}},
		{"date before year 0", data.Component{ChangeDate: day(-1, 12, 31)}},
		{"leap day", data.Component{InitDate: day(2024, 2, 29), ChangeDate: day(1900, 3, 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newComponentEncoder()
			checkEncode(t, e, &tc.c)
			checkEncode(t, e, &tc.c) // again, from the encoder's caches
		})
	}
}

// TestComponentEncoderGenerated encodes a generated city's components through one encoder, as
// a version is written, and checks each against json.Marshal and that no row's bytes change
// when the ones after it are encoded (they share the encoder's blocks).
func TestComponentEncoderGenerated(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 5000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	e := newComponentEncoder()
	var rows [][]byte
	for _, c := range ds.Components {
		checkEncode(t, e, c)
		b, err := e.encode(c)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, b)
	}
	for i, c := range ds.Components {
		if want, _ := json.Marshal(propsOf(c)); !bytes.Equal(rows[i], want) {
			t.Fatalf("component %d changed after later ones were encoded:\n%s\nwant\n%s", i, rows[i], want)
		}
	}
}

// FuzzComponentEncoder checks the encoder against json.Marshal on arbitrary text.
func FuzzComponentEncoder(f *testing.F) {
	f.Add("大塘龙一路路灯0001", "440303001001002", "北侧", "城管局", "k", "v")
	f.Add("a\"<\\>&\u2028", "\x00", "\xff", "", "", "")
	f.Fuzz(func(t *testing.T, name, grid, note, dept, key, val string) {
		c := data.Component{Scheme: data.CJT214, Major: "01", Minor: "18", Name: name, Grid: grid, Note: note,
			Owner: data.MakeDept(dept, name), Extra: map[string]string{key: val}}
		checkEncode(t, newComponentEncoder(), &c)
	})
}
