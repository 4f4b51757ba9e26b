package ogc_test

import (
	"fmt"
	"net/url"

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
