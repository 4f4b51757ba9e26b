package importer_test

import (
	"context"
	"fmt"
	"os"

	importer "citygeo/import"
)

// Read streams features with geometry already in CGCS2000 lon/lat; here a GBK Shapefile in
// CGCS2000 3° Gauss–Krüger CM 114°E (EPSG:4547) written by ogr2ogr.
func ExampleRead() {
	err := importer.Read("testdata/shp_gbk/components.shp", importer.ReadOptions{}, func(src *importer.Source, f *importer.Feature) error {
		if f.Index < 2 {
			// Prop reads a column whichever way the format's reader holds it (Props, Values).
			id, _ := f.Prop(src, "OBJID")
			name, _ := f.Prop(src, "OBJNAME")
			fmt.Printf("%s %s %s: %s %s %.6f\n", src.CRS.Code(), src.Charset, src.Layer, id, name, f.Geometry)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// EPSG:4547 gb18030 components: 4403030101000001 上水井盖 [114.120123 22.550123]
	// EPSG:4547 gb18030 components: 4403030118000002 路灯 [114.121234 22.551234]
}

// Check reads, maps and validates files without writing anything: the report names every
// problem by layer, feature, source id and field.
func ExampleCheck() {
	ds, rep, err := importer.Check(context.Background(), []string{"testdata/components.geojson"}, nil, importer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(ds.Components), "components,", rep.Errors, "errors")
	c := ds.Components[1]
	fmt.Println(c.ID, c.Scheme, c.Class(), c.Status, c.Owner.Name(), c.ChangeDate.Format("2006-01-02"))
	rep.WriteSummary(os.Stdout, 1)
	// Output:
	// 5 components, 0 errors
	// 4403030118000002 CJ/T 214-2007 0118 破损 罗湖区城管局 2023-11-20
	// testdata/components.geojson [components] → component: 5 features (geojson, EPSG:4490)
	// 0 errors, 0 warnings
}
