package diff_test

import (
	"fmt"

	"citygeo/data"
	"citygeo/diff"

	"github.com/paulmach/orb"
)

// ExampleDatasets compares two versions of a city: a lamp moved and changed owner, a cover
// was removed, a bench added.
func ExampleDatasets() {
	v1 := &data.Dataset{Version: 1, Components: []*data.Component{
		{ID: "4403030010010001", Major: "01", Minor: "01", Name: "井盖", Geometry: orb.Point{114.1, 22.5}},
		{ID: "4403030010020001", Major: "02", Minor: "01", Name: "路灯", Owner: data.MakeDept("A01", "城管局"), Geometry: orb.Point{114.2, 22.5}},
	}}
	v2 := &data.Dataset{Version: 2, Components: []*data.Component{
		{ID: "4403030010020001", Major: "02", Minor: "01", Name: "路灯", Owner: data.MakeDept("B02", "供电局"), Geometry: orb.Point{114.2, 22.6}},
		{ID: "4403030010030001", Major: "03", Minor: "01", Name: "座椅", Geometry: orb.Point{114.3, 22.5}},
	}}
	r := diff.Datasets(v1, v2)
	fmt.Println("added", r.Components.Added, "removed", r.Components.Removed)
	for _, c := range r.Components.Changed {
		for _, f := range c.Fields {
			fmt.Printf("%s %s: %q → %q\n", c.ID, f.Key, f.Old, f.New)
		}
	}
	// Output:
	// added [4403030010030001] removed [4403030010010001]
	// 4403030010020001 owner_code: "A01" → "B02"
	// 4403030010020001 owner_name: "城管局" → "供电局"
	// 4403030010020001 geometry: "POINT(114.2 22.5)" → "POINT(114.2 22.6)"
}
