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

func ExampleIndex_LocateBatch() {
	ix, err := geo.NewIndex(smallCity(), geo.IndexOptions{})
	if err != nil {
		panic(err)
	}
	// many points at once (a batch request's), into a slice reused from batch to batch
	pts := []orb.Point{{114.1005, 22.5505}, geo.Offset(orb.Point{114.1005, 22.551}, 0, 5), {116.4, 39.9}}
	var locs []geo.Location
	locs = ix.LocateBatch(pts, locs)
	for _, loc := range locs {
		if loc.Outside {
			fmt.Println("outside")
			continue
		}
		fmt.Println(loc.Grid.Code, loc.Snapped)
	}
	// Output:
	// 440303001001001 false
	// 440303001001001 true
	// outside
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

func ExampleParseCRS() {
	for _, name := range []string{"", "GCJ-02", "EPSG:4490", "4547", "EPSG:3857"} {
		c, err := geo.ParseCRS(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q → %s (%s) lon/lat=%v\n", name, c, c.Code(), c.LonLat())
	}
	// A survey point in the 3° Gauss–Krüger zone of Shenzhen (CM 114°E), as stored in CGCS2000
	// (PROJ's cs2cs EPSG:4547 EPSG:4490 gives 22.54872446 114.12002382).
	gk, _ := geo.ParseCRS("EPSG:4547")
	fmt.Printf("%.6f\n", geo.ToCGCS2000(orb.Point{512345.678, 2494567.890}, gk))
	// Output:
	// "" → wgs84 (EPSG:4326) lon/lat=true
	// "GCJ-02" → gcj02 (gcj02) lon/lat=true
	// "EPSG:4490" → cgcs2000 (EPSG:4490) lon/lat=true
	// "4547" → EPSG:4547 (EPSG:4547) lon/lat=false
	// EPSG:3857: unknown coordinate reference system (want 4326, 4490 or a Gauss–Krüger zone: CGCS2000 4491…4554, Xi'an 80 2327…2390, Beijing 54 2401…2442, 21413…21423, 21453…21463)
	// [114.120024 22.548724]
}
