package schema_test

import (
	"testing"

	"citygeo/schema"
)

func TestParseHouseNumber(t *testing.T) {
	for _, c := range []struct {
		in     string
		num    int
		suffix string
		ok     bool
	}{
		{"18", 18, "", true},
		{"18號", 18, "", true},
		{"18号", 18, "", true},
		{"1之6", 1, "之6", true},
		{"16之1號", 16, "之1", true},
		{"16-1", 16, "-1", true},
		{"3號之2", 3, "號之2", true},
		{"甲12", 12, "甲", true},
		{"12甲", 12, "甲", true},
		{"附3号", 3, "附", true},
		{"１２", 12, "", true},
		{" 7 ", 7, "", true},
		{"3號4樓", 3, "", true},
		{"3號4樓之2", 3, "", true},
		{"25號B1", 0, "", false},
		{"3號之", 0, "", false},
		{"之3", 0, "", false},
		{"十二", 0, "", false},
		{"12A", 0, "", false},
		{"", 0, "", false},
	} {
		n, s, ok := schema.ParseHouseNumber(c.in)
		if n != c.num || s != c.suffix || ok != c.ok {
			t.Errorf("ParseHouseNumber(%q) = %d, %q, %v; want %d, %q, %v", c.in, n, s, ok, c.num, c.suffix, c.ok)
		}
	}
}

// FuzzParseHouseNumber checks that any text either fails or yields a number that a register
// could hold, and never panics.
func FuzzParseHouseNumber(f *testing.F) {
	for _, s := range []string{"18", "1之6", "16-1", "3號之2", "甲12", "3號4樓", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, _, ok := schema.ParseHouseNumber(s)
		if ok && (n < 0 || n >= 1e9) {
			t.Fatalf("ParseHouseNumber(%q) = %d", s, n)
		}
	})
}
