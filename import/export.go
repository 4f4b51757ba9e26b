package importer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"citygeo/data"
	"citygeo/schema"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// record is one feature as Export writes it: the standard column names (the first name of
// each DefaultColumns entry) and the geometry.
type record struct {
	props map[string]any
	geom  orb.Geometry
}

// exportLayer is one kind's records, in dataset order.
type exportLayer struct {
	kind    schema.Kind
	records []record
}

func fmtDate(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)):
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339Nano)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// put sets a column unless the value is empty, so a re-import sees the same empty fields.
func put(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// exportLayers flattens a dataset into the layers Export writes, in Kinds order, skipping
// empty layers.
func exportLayers(ds *data.Dataset) []exportLayer {
	byKind := map[schema.Kind][]record{}
	for _, a := range ds.Areas {
		m := map[string]any{}
		put(m, "CODE", a.Code)
		put(m, "NAME", a.Name)
		put(m, "PARENT", a.Parent)
		if a.Derived {
			m["DERIVED"] = "true"
		}
		if a.Label != (orb.Point{}) {
			m["LABELLON"], m["LABELLAT"] = ftoa(a.Label[0]), ftoa(a.Label[1])
		}
		var g orb.Geometry
		if len(a.Polygon) > 0 {
			g = a.Polygon
		}
		k := schema.AreaKind(a.Level)
		byKind[k] = append(byKind[k], record{m, g})
	}
	for _, g := range ds.Grids {
		m := map[string]any{"BGID": g.Code, "SQDM": g.Community, "AREA": ftoa(g.AreaM2)}
		if g.Derived {
			m["DERIVED"] = "true"
		}
		byKind[schema.Grid] = append(byKind[schema.Grid], record{m, g.Polygon})
	}
	for _, c := range ds.Components {
		m := map[string]any{}
		for k, v := range c.Extra {
			m[k] = v
		}
		put(m, "OBJID", c.ID)
		put(m, "OBJNAME", c.Name)
		put(m, "DEPTCODE1", c.Owner.Code)
		put(m, "DEPTNAME1", c.Owner.Name)
		put(m, "DEPTCODE2", c.Property.Code)
		put(m, "DEPTNAME2", c.Property.Name)
		put(m, "DEPTCODE3", c.Maintainer.Code)
		put(m, "DEPTNAME3", c.Maintainer.Name)
		put(m, "BGID", c.Grid)
		put(m, "OBJSTATE", string(c.Status))
		put(m, "ORDATE", fmtDate(c.InitDate))
		put(m, "CHDATE", fmtDate(c.ChangeDate))
		put(m, "DATASOURCE", c.Source)
		put(m, "NOTE", c.Note)
		byKind[schema.Component] = append(byKind[schema.Component], record{m, c.Geometry})
	}
	for _, d := range ds.Departments {
		m := map[string]any{}
		put(m, "DEPTCODE", d.Code)
		put(m, "DEPTNAME", d.Name)
		byKind[schema.Department] = append(byKind[schema.Department], record{m, nil})
	}
	for _, r := range ds.Roads {
		m := map[string]any{"ROADID": strconv.FormatUint(r.ID, 10)}
		put(m, "NAME", r.Name)
		put(m, "CLASS", string(r.Class))
		byKind[schema.Road] = append(byKind[schema.Road], record{m, r.Line})
	}
	for _, a := range ds.Addresses {
		m := map[string]any{"ADDRID": strconv.FormatUint(a.ID, 10), "NUMBER": strconv.Itoa(a.Number)}
		put(m, "FULL", a.Full)
		put(m, "ROAD", a.Road)
		put(m, "SECTION", a.Section)
		put(m, "LANE", a.Lane)
		put(m, "ALLEY", a.Alley)
		put(m, "SUFFIX", a.Suffix)
		put(m, "COMMUNITY", a.Community)
		put(m, "SOURCE", a.Source)
		byKind[schema.Address] = append(byKind[schema.Address], record{m, a.Point})
	}
	for _, p := range ds.POIs {
		m := map[string]any{"POIID": strconv.FormatUint(p.ID, 10)}
		put(m, "NAME", p.Name)
		put(m, "ALIASES", strings.Join(p.Aliases, ";"))
		put(m, "CATEGORY", p.Category)
		put(m, "ADDRESS", p.Address)
		byKind[schema.POI] = append(byKind[schema.POI], record{m, p.Point})
	}
	for _, b := range ds.Buildings {
		m := map[string]any{"BLDGID": strconv.FormatUint(b.ID, 10), "POINTLON": ftoa(b.Point[0]), "POINTLAT": ftoa(b.Point[1])}
		put(m, "COMPOUND", b.Compound)
		put(m, "NAME", b.Name)
		put(m, "ADDRESS", b.Address)
		var g orb.Geometry = b.Point
		if len(b.Footprint) > 0 {
			g = b.Footprint
		}
		byKind[schema.Building] = append(byKind[schema.Building], record{m, g})
	}
	var out []exportLayer
	for _, k := range schema.Kinds {
		if rs := byKind[k]; len(rs) > 0 {
			out = append(out, exportLayer{kind: k, records: rs})
		}
	}
	return out
}

// columns lists every property name used in a layer, sorted.
func (l exportLayer) columns() []string {
	set := map[string]bool{}
	for _, r := range l.records {
		for k := range r.props {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ExportFormat names an export format.
type ExportFormat string

// The formats Export writes. GeoJSON and Shapefile write a directory with one file per layer;
// GeoPackage writes one file with a table per layer.
const (
	ExportGeoJSON    ExportFormat = "geojson"
	ExportGeoPackage ExportFormat = "gpkg"
	ExportShapefile  ExportFormat = "shp"
)

// Export writes ds for QGIS/ArcGIS in a form Import reads back unchanged (with the default
// mapping), and returns the files written.
func Export(ds *data.Dataset, format ExportFormat, out string) ([]string, error) {
	layers := exportLayers(ds)
	switch format {
	case ExportGeoJSON:
		return exportGeoJSON(layers, out)
	case ExportGeoPackage:
		return exportGPKG(layers, out)
	case ExportShapefile:
		return exportShapefile(layers, out)
	}
	return nil, fmt.Errorf("export format %q: want geojson, gpkg or shp", format)
}

func exportGeoJSON(layers []exportLayer, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, l := range layers {
		p := filepath.Join(dir, string(l.kind)+".geojson")
		if err := writeGeoJSON(p, l); err != nil {
			return files, fmt.Errorf("export %s: %w", p, err)
		}
		files = append(files, p)
	}
	return files, nil
}

// writeGeoJSON streams a FeatureCollection, one feature per line.
func writeGeoJSON(p string, l exportLayer) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := newBufWriter(f)
	w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, r := range l.records {
		ft := geojson.Feature{Type: "Feature", Properties: r.props}
		if r.geom != nil {
			ft.Geometry = r.geom
		}
		b, err := json.Marshal(&ft)
		if err != nil {
			f.Close()
			return err
		}
		if i > 0 {
			w.WriteString(",\n")
		}
		w.Write(b)
	}
	w.WriteString("\n]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
