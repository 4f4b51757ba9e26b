package city_test

import (
	"fmt"

	"citygeo/city"
	"citygeo/data/sample"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// ExampleBuild builds the served snapshot of the sample city and asks it the two questions
// of a dispatch: where a point lies (grid, area chain, the nearest components) and where an
// address is.
func ExampleBuild() {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	cs := snap.Geocode("深圳市罗湖区建设路18号", gazetteer.Query{})
	fmt.Println(cs[0].Level, cs[0].Matched)

	p := cs[0].Point
	loc, _ := snap.Locate(p, p, geo.CGCS2000, geo.NearestQuery{K: 1, Radius: 200}, nil)
	fmt.Println(loc.Grid.Code, loc.Community.Name, loc.Street.Name, loc.District.Name)
	fmt.Println(len(loc.Components), "component within 200 m")
	// Output:
	// 门牌号 建设路18号
	// 440303002020009 碧波社区 黄贝街道 罗湖区
	// 1 component within 200 m
}
