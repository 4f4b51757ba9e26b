package tiles_test

import (
	"strings"
	"testing"

	"citygeo/tiles"
)

// TestLiveWithout: a client that may not read a set gets a style without it, while the full
// registry and its sets are untouched.
func TestLiveWithout(t *testing.T) {
	var live tiles.Live
	live.Register(newPositions(), nil)
	sources := func(l *tiles.Live) string {
		st, err := tiles.Style(tiles.StyleWall, "http://h", l)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range []string{tiles.SetCity, "positions"} {
			if _, ok := st["sources"].(map[string]any)[s]; ok {
				names = append(names, s)
			}
		}
		return strings.Join(names, ",")
	}
	if got := sources(&live); got != "city,positions" {
		t.Errorf("full registry: sources %s", got)
	}
	if got := sources(live.Without("positions")); got != "city" {
		t.Errorf("without positions: sources %s", got)
	}
	if got := sources(&live); got != "city,positions" {
		t.Errorf("Without changed the registry: sources %s", got)
	}
	var none *tiles.Live
	if none.Without("positions") != nil {
		t.Error("nil.Without is not nil")
	}
}
