package export_test

import (
	"fmt"
	"os"
	"path/filepath"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// Write writes one file per layer kind (Shapefile splits a layer by geometry type).
func ExampleWrite() {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 100, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "citygeo-export")
	defer os.RemoveAll(dir)
	files, err := export.Write(ds, dir, export.Options{Format: export.Shapefile})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// district.shp
	// street.shp
	// community.shp
	// grid.shp
	// department.shp
	// component.shp
	// road.shp
	// address.shp
	// poi.shp
	// building.shp
}

// A profile is a table: schema field keys to output columns and their types.
func ExampleProfile() {
	p := export.Profile{Name: "grids", Layers: map[schema.Kind][]export.Column{
		schema.Grid: {{Key: "code", Name: "grid_code", Type: schema.Text}, {Key: "area_m2", Name: "area", Type: schema.Number}},
	}}
	ds := &data.Dataset{Grids: []*data.Grid{{Code: "440303001001001", AreaM2: 10000.5,
		Polygon: orb.Polygon{{{114.1, 22.5}, {114.101, 22.5}, {114.101, 22.501}, {114.1, 22.5}}}}}}
	dir, _ := os.MkdirTemp("", "citygeo-export")
	defer os.RemoveAll(dir)
	if _, err := export.Write(ds, dir, export.Options{Profile: &p}); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(filepath.Join(dir, "grid.geojson"))
	fmt.Print(string(b))
	// Output:
	// {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[
	// {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[114.1,22.5],[114.101,22.5],[114.101,22.501],[114.1,22.5]]]},"properties":{"area":10000.5,"grid_code":"440303001001001"}}
	// ]}
}

// To47678 rewrites a CJ/T 214 component id for the GB/T 47678.5 exchange by its class.
func ExampleTo47678() {
	id, err := export.To47678("4403030101000123") // CJ/T 214 0101 上水井盖
	fmt.Println(id, err)
	_, err = export.To47678("4403030502000001") // CJ/T 214 0502 人防工事
	fmt.Println(err)
	// Output:
	// 44030301001000123 <nil>
	// component class 0502 (人防工事) has no GB/T 47678.5 class (see export.ClassMap47678)
}
