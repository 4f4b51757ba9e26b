package export

import (
	"testing"

	"citygeo/schema"
)

func TestDBFFieldOf(t *testing.T) {
	tests := []struct {
		name   string
		typ    schema.Type
		values []string
		want   dbfField
		first  string // how values[0] is stored
	}{
		{"text", schema.Text, []string{"井盖", "a"}, dbfField{'C', 6, 0}, "井盖"},
		{"empty text", schema.Text, []string{""}, dbfField{'C', 1, 0}, ""},
		{"integer", schema.Integer, []string{"42", "", "-7"}, dbfField{'N', 2, 0}, "42"},
		{"integer that is not", schema.Integer, []string{"42", "x"}, dbfField{'C', 2, 0}, "42"},
		{"integer too wide", schema.Integer, []string{"123456789012345678901"}, dbfField{'C', 21, 0}, "123456789012345678901"},
		{"decimals padded", schema.Number, []string{"1.5", "10000.25"}, dbfField{'N', 8, 2}, "1.50"},
		{"exponent is text", schema.Number, []string{"1e+21"}, dbfField{'C', 5, 0}, "1e+21"},
		{"NaN is text", schema.Number, []string{"NaN"}, dbfField{'C', 3, 0}, "NaN"},
		{"date", schema.Date, []string{"2023-11-20"}, dbfField{'D', 8, 0}, "20231120"},
		{"instant is text", schema.Date, []string{"2023-11-20T08:00:00Z"}, dbfField{'C', 20, 0}, "2023-11-20T08:00:00Z"},
		{"bool", schema.Bool, []string{"true", ""}, dbfField{'L', 1, 0}, "T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dbfFieldOf(tt.typ, tt.values)
			if got != tt.want {
				t.Errorf("field = %c %d %d, want %c %d %d", got.typ, got.width, got.dec, tt.want.typ, tt.want.width, tt.want.dec)
			}
			if s := got.format(tt.values[0]); s != tt.first {
				t.Errorf("stored %q, want %q", s, tt.first)
			}
		})
	}
}
