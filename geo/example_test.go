package geo_test

import (
	"fmt"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

func ExampleIndex_Locate() {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		panic(err)
	}
	loc := ix.Locate(orb.Point{114.1005, 22.5505})
	fmt.Println(loc.Grid.Code, loc.Community.Name, loc.Street.Name, loc.District.Name)

	// a GPS fix 5 m north of the city edge still gets the grid below it
	loc = ix.Locate(geo.Offset(orb.Point{114.1005, 22.551}, 0, 5))
	fmt.Printf("%s snapped=%v %.1f m\n", loc.Grid.Code, loc.Snapped, loc.SnapDistance)
	// Output:
	// 440303001001001 老围社区 桂园街道 罗湖区
	// 440303001001001 snapped=true 5.0 m
}

func ExampleIndex_Nearest() {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		panic(err)
	}
	// the two street lamps (class 0118) nearest to an event reported in GCJ-02 by a web map
	event := geo.ToCGCS2000(geo.FromCGCS2000(orb.Point{114.1010, 22.5505}, geo.GCJ02), geo.GCJ02)
	buf := make([]geo.Neighbor, 0, 2)
	for _, n := range ix.Nearest(event, geo.NearestQuery{K: 2, Class: "0118", Radius: 500}, buf) {
		fmt.Printf("%s %s %.0f m %s\n", n.Component.ID, n.Component.Name, n.Distance, geo.Direction(n.Bearing))
	}
	// Output:
	// 4403030118000001 路灯 51 m 西
	// 4403030118000002 路灯 205 m 东
}
