package data_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// A loader fills each feature from New with text from the arena's Strings and geometry from
// its Point, Geometry or Polygon, then pins the layer's array; VerifyArena is what a store's
// tests run on the result.
func ExampleArena() {
	var a data.ComponentArena
	var cs []*data.Component
	for i, p := range []orb.Point{{114.1201, 22.5502}, {114.1207, 22.5509}} {
		s := a.Strings()
		c := a.New()
		*c = data.Component{
			ID:    s.MakeString(fmt.Sprintf("440303010100%04d", i+1)),
			Major: s.InternString("01"), Minor: s.InternString("01"),
			Grid:     s.InternString("440303004010033"),
			Status:   data.StatusIntact,
			Geometry: a.Point(p),
		}
		cs = append(cs, c)
	}
	cs = data.Pin(cs) // fewer than 4,096: returned as it is
	n, err := data.VerifyArena(cs, func(c *data.Component) string { return c.ID })
	fmt.Println(n, err, cs[1].ID, cs[1].Class(), cs[1].Geometry)
	// Output:
	// 2 <nil> 4403030101000002 0101 [114.1207 22.5509]
}
