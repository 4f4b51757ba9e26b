package geo_test

import (
	"fmt"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// A Xi'an 80 zone converts exactly through its own ellipsoid, and says that it applies no
// datum shift.
func ExampleEPSG_xian80() {
	c, _ := geo.EPSG(2383) // Xi'an 1980 / 3-degree Gauss-Kruger CM 114E
	en := geo.FromCGCS2000(orb.Point{114.1, 22.5}, c)
	fmt.Printf("%.3f %.3f unshifted=%v\n", en[0], en[1], c.Unshifted())
	// Output: 510289.634 2489171.907 unshifted=true
}

// A city system: a base zone and a 4-parameter plane transform onto its grid.
func ExampleLocal() {
	c, err := geo.Local(geo.LocalDef{Name: "城建坐标系", Base: "EPSG:4547", Plane: &geo.PlaneDef{DE: 391234.5, DN: 2480011.25, Rotation: 1234.5, PPM: 35}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := geo.FromCGCS2000(orb.Point{114.1, 22.55}, c)
	back := geo.ToCGCS2000(p, c)
	fmt.Printf("%s: %.3f %.3f → %.7f %.7f\n", c, p[0], p[1], back[0], back[1])
	// Output: local:城建坐标系: 119133.082 13983.100 → 114.1000000 22.5500000
}

// A grid whose corner was digitised with two vertices swapped is cut at its crossing.
func ExampleMakeValid() {
	mp, err := geo.MakeValid(orb.Polygon{{{0, 0}, {100, 0}, {98, 100}, {100, 98}, {0, 100}, {0, 0}}})
	fmt.Println(len(mp), err)
	for _, p := range mp {
		fmt.Printf("%.2f\n", p[0].Bound().Max[0]-p[0].Bound().Min[0])
	}
	// Output:
	// 2 <nil>
	// 100.00
	// 2.00
}
