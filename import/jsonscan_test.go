package importer

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"citygeo/data/sample"
	"citygeo/export"
	"citygeo/geo"

	json "github.com/goccy/go-json"
	"github.com/google/go-cmp/cmp"
)

// sampleFeatures returns the raw text of every feature of the sample city's component and grid
// layers as the project exports them (one feature per line), by layer.
func sampleFeatures(tb testing.TB) map[string][][]byte {
	tb.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 2000, Components: 5000, Seed: 7})
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if _, err := export.Write(ds, dir, export.Options{}); err != nil {
		tb.Fatal(err)
	}
	out := map[string][][]byte{}
	for _, layer := range []string{"component", "grid"} {
		f, err := os.Open(filepath.Join(dir, layer+".geojson"))
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := bytes.TrimSuffix(sc.Bytes(), []byte(",")); bytes.HasPrefix(line, []byte(`{"type":"Feature"`)) {
				out[layer] = append(out[layer], bytes.Clone(line))
			}
		}
		f.Close()
		if len(out[layer]) == 0 {
			tb.Fatalf("no %s features", layer)
		}
	}
	return out
}

// decoded is a feature as a library twin hands it over: properties and id already converted.
type decoded struct {
	typ   string
	props map[string]any
	id    any // nil when absent
	geom  []byte
}

// twin makes a decodeFeature twin from a library decoding.
func twin(decode func([]byte) (decoded, error)) func(int, []byte, geo.CRS) (*Feature, error) {
	return func(i int, raw []byte, crs geo.CRS) (*Feature, error) {
		d, err := decode(raw)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
		}
		if d.typ != "Feature" {
			return nil, fmt.Errorf("feature %d: type %q, want \"Feature\": %w", i, d.typ, ErrFormat)
		}
		f := &Feature{Index: i, Props: d.props}
		if d.id != nil {
			if _, ok := f.Props["id"]; !ok {
				f.Props["id"] = d.id
			}
		}
		if len(d.geom) > 0 && string(d.geom) != "null" {
			g, err := decodeGeoJSONGeometry(d.geom)
			if err != nil {
				return nil, fmt.Errorf("feature %d: geometry: %v: %w", i, err, ErrFormat)
			}
			f.Geometry = toCGCS2000(crs, g)
		}
		return f, nil
	}
}

// libFeature is what ReadGeoJSON decoded each feature into before scanObject (7d0d6e0^): a
// struct with a map of properties, whose values jsonValue then converts.
type libFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// structDecoding decodes into a libFeature with a decoder that keeps numbers as json.Number.
func structDecoding(newDecoder func([]byte) interface{ Decode(any) error }) func([]byte) (decoded, error) {
	return func(raw []byte) (decoded, error) {
		var rf libFeature
		if err := newDecoder(raw).Decode(&rf); err != nil {
			return decoded{}, err
		}
		d := decoded{typ: rf.Type, props: make(map[string]any, len(rf.Properties)), geom: rf.Geometry}
		for k, v := range rf.Properties {
			d.props[k] = jsonValue(v)
		}
		if rf.ID != nil {
			d.id = jsonValue(rf.ID)
		}
		return d, nil
	}
}

// rawDecoding is the twin named in jsonscan.go before it was measured: go-json into a map of
// raw values, each then converted by rawValue as the scanner's values are.
func rawDecoding(raw []byte) (decoded, error) {
	var rf struct {
		Type       string                     `json:"type"`
		ID         json.RawMessage            `json:"id"`
		Properties map[string]json.RawMessage `json:"properties"`
		Geometry   json.RawMessage            `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return decoded{}, err
	}
	d := decoded{typ: rf.Type, props: make(map[string]any, len(rf.Properties)), geom: rf.Geometry}
	for k, v := range rf.Properties {
		x, err := rawValue(v)
		if err != nil {
			return decoded{}, fmt.Errorf("property %q: %v", k, err)
		}
		d.props[k] = x
	}
	if len(rf.ID) > 0 && string(rf.ID) != "null" {
		x, err := rawValue(rf.ID)
		if err != nil {
			return decoded{}, fmt.Errorf("id: %v", err)
		}
		d.id = x
	}
	return d, nil
}

var featureDecoders = []struct {
	name   string
	decode func(int, []byte, geo.CRS) (*Feature, error)
}{
	{"scan", decodeFeature},
	{"go-json", twin(structDecoding(func(raw []byte) interface{ Decode(any) error } {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		return d
	}))},
	{"go-json-raw", twin(rawDecoding)},
	{"encoding-json", twin(structDecoding(func(raw []byte) interface{ Decode(any) error } {
		d := stdjson.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		return d
	}))},
}

// TestDecodeFeatureTwinsAgree makes the benchmark a fair race: every decoder returns the same
// features.
func TestDecodeFeatureTwinsAgree(t *testing.T) {
	extra := [][]byte{
		[]byte(`{"type":"Feature","id":7,"properties":{"n":12,"f":1.5,"big":12345678901234567890,"o":{"a":[1,2]},"b":true,"z":null,"s":"a\"b\u00e9"},"geometry":null}`),
		[]byte(`{"type":"Feature","properties":{"id":"x"},"id":"y","geometry":{"type":"Point","coordinates":[114.1,22.5,3]}}`),
	}
	for layer, raws := range sampleFeatures(t) {
		for i, raw := range append(raws, extra...) {
			want, err := decodeFeature(i, raw, geo.CGCS2000)
			if err != nil {
				t.Fatalf("%s %d: %v", layer, i, err)
			}
			for _, d := range featureDecoders[1:] {
				got, err := d.decode(i, raw, geo.CGCS2000)
				if err != nil {
					t.Fatalf("%s %s %d: %v", d.name, layer, i, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s %s %d (-scan +%s):\n%s", d.name, layer, i, d.name, diff)
				}
			}
		}
	}
}

func BenchmarkDecodeFeature(b *testing.B) {
	data := sampleFeatures(b)
	for _, layer := range []string{"component", "grid"} {
		raws := data[layer]
		n := 0
		for _, r := range raws {
			n += len(r)
		}
		for _, d := range featureDecoders {
			b.Run(layer+"/"+d.name, func(b *testing.B) {
				b.SetBytes(int64(n))
				measure(b, func() {
					for i, raw := range raws {
						if _, err := d.decode(i, raw, geo.CGCS2000); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
