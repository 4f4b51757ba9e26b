package ogc_test

import (
	"errors"
	"fmt"
	"net/url"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
	"citygeo/ogc"
)

// Street lamps (class 0118) in a 300 m × 200 m box given in the 3° Gauss–Krüger zone of
// Shenzhen (EPSG:4547, northing first as EPSG orders it), answered in the same CRS.
func ExampleCatalog_Items() {
	ds, _ := sample.Generate(sample.Options{})
	ix, _ := geo.NewIndex(ds, geo.IndexOptions{})
	cat := ogc.NewCatalog(ds, ix, ogc.Options{})
	col, _ := cat.Collection("components")
	const gk = "http://www.opengis.net/def/crs/EPSG/0/4547"
	q, err := ogc.ParseQuery(col, url.Values{
		"bbox": {"2493900,512000,2494100,512300"}, "bbox-crs": {gk}, "crs": {gk},
		"class": {"0118"}, "limit": {"2"},
	})
	if err != nil {
		panic(err)
	}
	page, _ := cat.Items("components", q)
	fmt.Println(page.NumberMatched, "matched")
	for _, f := range page.Features {
		fmt.Printf("%s %s N %.1f E %.1f\n", f.ID, f.Properties["name"], f.Point()[0], f.Point()[1])
	}
	// Output:
	// 16 matched
	// 4403030118002846 新谊一路路灯0109 N 2494078.6 E 512106.1
	// 4403030118002847 建南一路路灯0001 N 2494060.2 E 512107.3
}

// A grid resurveyed and another deleted since the catalog's version, served before a new
// version is built: the grids collection counts one less, the deleted grid is no item and the
// resurveyed one answers its new area.
func ExampleCatalog_WithEdits() {
	ds, _ := sample.Generate(sample.Options{})
	ix, _ := geo.NewIndex(ds, geo.IndexOptions{})
	cat := ogc.NewCatalog(ds, ix, ogc.Options{})
	kept, gone := ds.Grids[0], ds.Grids[1]
	resurveyed := *kept
	resurveyed.AreaM2 = 9876.5
	now := cat.WithEdits(ogc.Edits{Grids: map[string]*data.Grid{kept.Code: &resurveyed, gone.Code: nil}})
	before, _ := cat.Collection("grids")
	after, _ := now.Collection("grids")
	fmt.Println(before.Count-after.Count, "fewer grids")
	if _, err := now.Item("grids", gone.Code, ogc.CRS84); err != nil {
		fmt.Println("deleted grid:", errors.Is(err, ogc.ErrNoFeature))
	}
	f, _ := now.Item("grids", kept.Code, ogc.CRS84)
	fmt.Println(f.ID == kept.Code, f.Properties["area_m2"])
	// Output:
	// 1 fewer grids
	// deleted grid: true
	// true 9876.5
}
