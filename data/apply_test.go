package data_test

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// TestSplitByChanges: ids no change touches are read from the parent; the last change of an id
// decides, a delete leaving it out.
func TestSplitByChanges(t *testing.T) {
	ch := func(id string, op data.Op, seq int64) data.Change {
		return data.Change{Seq: seq, Layer: data.LayerComponent, ID: id, Op: op}
	}
	for _, tc := range []struct {
		name        string
		ids         []string
		changes     []data.Change
		rest, apply string
	}{
		{"untouched", []string{"a", "b"}, nil, "[a b]", "[]"},
		{"updated then deleted", []string{"a", "b"}, []data.Change{ch("a", data.OpUpdate, 1), ch("a", data.OpDelete, 2)}, "[b]", "[]"},
		{"created, updated: the last", []string{"c", "a"}, []data.Change{ch("c", data.OpCreate, 1), ch("c", data.OpUpdate, 2)}, "[a]", "[c:2]"},
		{"a change of an id not asked", []string{"a"}, []data.Change{ch("z", data.OpUpdate, 1)}, "[a]", "[]"},
		{"in the order of ids", []string{"b", "a"}, []data.Change{ch("a", data.OpUpdate, 1), ch("b", data.OpUpdate, 2)}, "[]", "[b:2 a:1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rest, apply := data.SplitByChanges(tc.ids, tc.changes)
			got := []string{}
			for _, c := range apply {
				got = append(got, fmt.Sprintf("%s:%d", c.ID, c.Seq))
			}
			if r := fmt.Sprint(rest); r != tc.rest && !(tc.rest == "[]" && len(rest) == 0) {
				t.Errorf("rest %v, want %s", rest, tc.rest)
			}
			if fmt.Sprint(got) != tc.apply {
				t.Errorf("apply %v, want %s", got, tc.apply)
			}
		})
	}
}

// TestApplyDelta: a delta version is its parent with the changes, named as itself, with only
// the layers asked.
func TestApplyDelta(t *testing.T) {
	parent := &data.Dataset{Version: 1, Name: "v1",
		Components: []*data.Component{{ID: "c1", Geometry: orb.Point{1, 1}}},
		Grids:      []*data.Grid{{Code: "g1"}}}
	moved := &data.Dataset{Components: []*data.Component{{ID: "c1", Geometry: orb.Point{2, 2}}}}
	out := data.ApplyDelta(parent, []data.Change{{Layer: data.LayerComponent, ID: "c1", Op: data.OpUpdate, After: moved}},
		&data.Dataset{Version: 3, Name: "v3"}, []data.Layer{data.LayerComponent})
	if out.Version != 3 || out.Name != "v3" || len(out.Grids) != 0 || len(out.Components) != 1 || out.Components[0].Geometry != (orb.Point{2, 2}) {
		t.Errorf("delta = v%d %q, %d grids, components %+v", out.Version, out.Name, len(out.Grids), out.Components)
	}
	if parent.Components[0].Geometry != (orb.Point{1, 1}) || len(parent.Grids) != 1 {
		t.Error("the parent changed")
	}
}
