package jsonattr_test

import (
	"maps"
	"testing"

	"github.com/valyala/fastjson"

	"citygeo/data"
	"citygeo/internal/jsonattr"
)

func TestExtra(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"attributes", `{"MATERIAL":"铸铁","SPEC":"Φ700"}`, map[string]string{"MATERIAL": "铸铁", "SPEC": "Φ700"}, false},
		{"escapes", `{"a\"b":"c\\u4e2d"}`, map[string]string{`a"b`: `c\u4e2d`}, false},
		{"empty object is nil", `{}`, nil, false},
		{"number value", `{"N":1}`, nil, true},
		{"not an object", `["x"]`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p fastjson.Parser
			v, err := p.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var s data.Strings
			got, err := jsonattr.Extra(v, &s)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if !maps.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Fatalf("Extra(%s) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
