package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
)

// ExampleStore saves the sample city as a version, activates it, and loads it back, then asks
// for two components by id as an upsert import does.
func ExampleStore() {
	dir, err := os.MkdirTemp("", "citygeo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "city.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := st.Save(ctx, ds, "sample")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := st.Activate(ctx, v); err != nil {
		fmt.Println(err)
		return
	}
	active, _ := st.ActiveVersion(ctx)
	loaded, err := st.Load(ctx, active)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("version", active, "components", len(loaded.Components) == len(ds.Components), "grids", len(loaded.Grids) == len(ds.Grids))

	ids := []string{ds.Components[7].ID, "4403039999999999"}
	some, err := st.LoadFeatures(ctx, active, data.LayerComponent, ids)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(some.Components), "of", len(ids), "ids found, the first", some.Components[0].ID == ids[0])
	// Output:
	// version 1 components true grids true
	// 1 of 2 ids found, the first true
}
