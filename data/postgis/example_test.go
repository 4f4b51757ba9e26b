package postgis_test

import (
	"context"
	"fmt"
	"os"

	"citygeo/data/postgis"
	"citygeo/data/sample"
)

// ExampleOpen saves the sample city into a PostgreSQL database with PostGIS (the schema comes
// from search_path; the tables are made when missing), activates the version and loads it
// back. It needs a server, so it is compiled but not run; the package's tests run the same
// against CITYGEO_TEST_POSTGRES.
func ExampleOpen() {
	ctx := context.Background()
	st, err := postgis.Open(ctx, os.Getenv("CITYGEO_POSTGRES")) // postgres://user:pw@host/db?search_path=city
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
	if err == nil {
		err = st.Activate(ctx, v)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := st.Load(ctx, v)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(loaded.Components), "components in version", v)
}
