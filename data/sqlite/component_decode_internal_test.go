package sqlite

import (
	"maps"
	"testing"
	"unicode/utf8"

	json "github.com/goccy/go-json"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"citygeo/data"
)

// FuzzDecodeComponent feeds the component decoder arbitrary attributes and checks it against
// go-json decoding the same bytes into componentProps, the codec's own struct: whenever both
// accept a row they must agree on every field, and the decoder must never panic.
func FuzzDecodeComponent(f *testing.F) {
	f.Add([]byte(`{"scheme":"CJ/T 214-2007","major":"01","minor":"18","name":"大塘龙一路路灯0001","owner":{"code":"11440303340007919Y","name":"城管局"},"property":{"name":"水务集团"},"maintainer":{"code":"M1"},"grid":"440303001001002","status":"破损","init_date":"2011-11-30T00:00:00Z","change_date":"2013-08-29T08:30:00+08:00","source":"实测","note":"北侧","extra":{"MATERIAL":"铸铁"}}`))
	f.Add([]byte(`{"scheme":"GB/T 47678.5-2026","major":"02","minor":"004"}`))
	f.Add([]byte(`{"name":"a\"b\\u4e2d","init_date":null,"extra":{}}`))
	f.Add([]byte(`{"owner":"x"}`))
	f.Fuzz(func(t *testing.T, props []byte) {
		var d componentDecoder
		var c data.Component
		err := d.decode(&c, []byte("4403030118000001"), props, nil)
		var p componentProps
		if err != nil || json.Unmarshal(props, &p) != nil || !utf8.Valid(props) {
			return
		}
		want := data.Component{ID: "4403030118000001", Scheme: p.Scheme, Major: p.Major, Minor: p.Minor, Name: p.Name,
			Owner: p.Owner.Dept(), Property: p.Property.Dept(), Maintainer: p.Maintainer.Dept(), Grid: p.Grid, Status: p.Status,
			Source: p.Source, Note: p.Note}
		if p.InitDate != nil {
			want.InitDate = data.DateOf(*p.InitDate)
		}
		if p.ChangeDate != nil {
			want.ChangeDate = data.DateOf(*p.ChangeDate)
		}
		if diff := cmp.Diff(want, c, cmpopts.IgnoreFields(data.Component{}, "Extra")); diff != "" {
			t.Fatalf("decoded differs from go-json (-go-json +decoded):\n%s", diff)
		}
		if len(p.Extra) == 0 && c.Extra != nil || !maps.Equal(c.Extra, p.Extra) {
			t.Fatalf("extra decoded %v, go-json %v", c.Extra, p.Extra)
		}
	})
}
func TestFieldName(t *testing.T) {
	for _, f := range componentFields {
		if got := fieldName([]byte(f)); got != f {
			t.Errorf("fieldName(%q) = %q", f, got)
		}
	}
	for key, want := range map[string]string{"Grid": "grid", "INIT_DATE": "init_date", "Extra": "extra", "grids": "", "": ""} {
		if got := fieldName([]byte(key)); got != want {
			t.Errorf("fieldName(%q) = %q, want %q", key, got, want)
		}
	}
}
