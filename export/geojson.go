package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"citygeo/schema"

	"github.com/paulmach/orb/geojson"
)

// geoJSON writes one <layer>.geojson per layer into dir. A system other than WGS84 lon/lat
// (RFC 7946's only one) is named in the legacy "crs" member GDAL and our importer read, so
// CGCS2000 and projected zones open in GDAL as what they are.
func (w writer) geoJSON(layers []layer, dir string) ([]string, error) {
	var files []string
	for _, l := range layers {
		name := l.name + ".geojson"
		p := filepath.Join(dir, name)
		if err := w.geoJSONLayer(p, l); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		files = append(files, name)
	}
	return files, nil
}

// geoJSONLayer streams a FeatureCollection, one feature per line.
func (w writer) geoJSONLayer(p string, l layer) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString(`{"type":"FeatureCollection",`)
	if w.srs.epsg != 4326 {
		bw.WriteString(`"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::` + strconv.Itoa(w.srs.epsg) + `"}},`)
	}
	bw.WriteString(`"features":[` + "\n")
	for i, r := range l.records {
		props := make(map[string]any, len(r.props))
		for _, c := range l.cols {
			if s, ok := r.props[c.Name]; ok {
				props[c.Name] = jsonValue(c.Type, s)
			}
		}
		ft := geojson.Feature{Type: "Feature", Properties: props}
		if r.geom != nil {
			ft.Geometry = r.geom
		}
		b, err := json.Marshal(&ft)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// jsonValue types a value for JSON: numbers and booleans as such when the text is one (NaN and
// infinities stay text), everything else as a string.
func jsonValue(t schema.Type, s string) any {
	switch t {
	case schema.Integer, schema.Number:
		if json.Valid([]byte(s)) && s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
			return json.Number(s)
		}
	case schema.Bool:
		return schema.ParseBool(s)
	}
	return s
}
