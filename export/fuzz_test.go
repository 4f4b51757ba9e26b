package export_test

import (
	"testing"

	"citygeo/export"
)

// FuzzTo47678 feeds any text as a component id: no panic, and an id it accepts comes out as 17
// digits with the district and sequence kept, unchanged by a second pass.
func FuzzTo47678(f *testing.F) {
	for _, s := range []string{"4403030101000123", "44030301001000123", "4403030502000001", "", "44030301x1000123", "440303019900000１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		out, err := export.To47678(id)
		if err != nil {
			return
		}
		if len(out) != 17 || out[:6] != id[:6] || out[11:] != id[len(id)-6:] {
			t.Fatalf("To47678(%q) = %q", id, out)
		}
		if again, err := export.To47678(out); err != nil || again != out {
			t.Fatalf("To47678(%q) = %q, %v", out, again, err)
		}
	})
}
