package data_test

import (
	"testing"

	"citygeo/data"
)

// TestParseRoadClass reads the classes road layers write: the keywords, the CJJ 37 names in
// Simplified and Traditional characters; another word is kept as written.
func TestParseRoadClass(t *testing.T) {
	for in, want := range map[string]data.RoadClass{
		"arterial": data.RoadArterial, "主干路": data.RoadArterial, "主幹道": data.RoadArterial, " 快速路 ": data.RoadExpressway,
		"次干道": data.RoadSecondary, "支路": data.RoadBranch, "城市道路": "城市道路", "": "",
	} {
		if got := data.ParseRoadClass(in); got != want {
			t.Errorf("ParseRoadClass(%q) = %q, want %q", in, got, want)
		}
	}
}
