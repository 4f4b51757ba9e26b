package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"citygeo/export"
	importer "citygeo/import"
	"citygeo/schema"
)

// reportFormats are the report files --report writes, by extension.
var reportFormats = map[string]func(path string, rep *importer.Report) error{
	".json":    func(path string, rep *importer.Report) error { return writeFile(path, rep.WriteJSON) },
	".geojson": func(path string, rep *importer.Report) error { return writeFile(path, rep.WriteGeoJSON) },
	".gpkg": func(path string, rep *importer.Report) error {
		_, err := export.WriteTable(reportTable(rep), path, export.Options{Format: export.GeoPackage})
		return err
	},
}

func writeReportFile(path string, rep *importer.Report) error {
	return reportFormats[strings.ToLower(filepath.Ext(path))](path, rep)
}

// writeFile writes what write writes into path.
func writeFile(path string, write func(w io.Writer) error) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// reportTable is the report's findings as a map layer: a row per finding at its location.
// The GeoPackage splits it by geometry type (findings, findings_polygon, findings_null for
// the findings without a place …).
func reportTable(rep *importer.Report) export.Table {
	t := export.Table{Name: "findings"}
	for _, c := range []string{"check", "severity", "layer", "source_id", "field", "value", "reason", "file"} {
		t.Columns = append(t.Columns, export.Column{Name: c, Type: schema.Text})
	}
	t.Columns = append(t.Columns, export.Column{Name: "index", Type: schema.Integer})
	for _, f := range rep.Findings {
		row := export.Row{Values: map[string]string{"index": strconv.Itoa(f.Index)}}
		for k, v := range map[string]string{"check": f.Check, "severity": string(f.Severity), "layer": string(f.Layer),
			"source_id": f.SourceID, "field": f.Field, "value": f.Value, "reason": f.Reason, "file": f.File} {
			if v != "" {
				row.Values[k] = v
			}
		}
		if f.Location != nil {
			row.Geometry = f.Location.Geometry()
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
