// Command citygeo is the geospatial core of a digital city-management platform: it serves
// locate, geocode, dispatch and vector tiles for one city, and imports, validates, versions and
// exports the city's survey data.
//
//	citygeo serve [--config citygeo.yaml] [--addr 127.0.0.1:8080] [--store city.db] [--auth tokens.json] [--duty FILE,…]
//	citygeo config check FILE | config example
//	citygeo version
//	citygeo audit --store PATH [--since 24h] [--who NAME] [--action TEXT]
//	citygeo gen [--grids N] [--components N]
//	citygeo locate --lng 114.12 --lat 22.55 [--crs gcj02]
//	citygeo token --name NAME --role gis | token add|list|revoke --file tokens.json
//	citygeo validate|import [--store PATH] [--map F] [--crs EPSG:n] FILE…
//	citygeo versions|rollback N --store PATH
//	citygeo diff --store PATH A B
//	citygeo export --format geojson|gpkg|shp --out PATH [--store PATH]
//	citygeo export --pmtiles city.pmtiles [--minzoom 0] [--maxzoom 16] [--store PATH]
//	citygeo backup --store PATH|postgres://… FILE
//	citygeo restore [--replace] --store PATH|postgres://… FILE
//	citygeo duty [--store PATH] [--out lists.json] FILE…
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/buildinfo"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "citygeo:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a process exit code other than 1 (validate exits 1 on findings, 2 on bad use).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "citygeo",
		Short:         "geospatial core of digital city management (数字城管)",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.Read().String(), // citygeo --version
	}
	root.AddCommand(
		newServeCmd(), newConfigCmd(), newVersionCmd(), newAuditCmd(),
		newGenCmd(),
		newLocateCmd(),
		newTokenCmd(),
		newValidateCmd(), newImportCmd(), newVersionsCmd(), newRollbackCmd(), newDiffCmd(), newExportCmd(), newCitiesCmd(),
		newBackupCmd(), newRestoreCmd(),
		newDutyCmd(),
	)
	return root
}
