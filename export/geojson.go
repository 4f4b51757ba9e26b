package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"citygeo/schema"

	"github.com/paulmach/orb/geojson"
)

// writeGeoJSON writes one <kind>.geojson per layer into dir.
func writeGeoJSON(layers []layer, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, l := range layers {
		p := filepath.Join(dir, string(l.kind)+".geojson")
		if err := writeGeoJSONLayer(p, l); err != nil {
			return files, fmt.Errorf("export %s: %w", p, err)
		}
		files = append(files, p)
	}
	return files, nil
}

// writeGeoJSONLayer streams a FeatureCollection, one feature per line.
func writeGeoJSONLayer(p string, l layer) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
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
