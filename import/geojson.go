package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	json "github.com/goccy/go-json" // 2–3× encoding/json on million-feature files, same API
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// countingReader counts bytes, reports progress and refuses to read past a limit.
type countingReader struct {
	r        io.Reader
	n, limit int64
	total    int64
	progress func(done, total int64)
	next     int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, fmt.Errorf("more than %d bytes: %w", c.limit, ErrTooLarge)
	}
	if c.progress != nil && (c.n >= c.next || err == io.EOF) {
		c.progress(c.n, c.total)
		c.next = c.n + 1<<20
	}
	return n, err
}

func openLimited(path string, opts ReadOptions) (*os.File, *countingReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.Size() > opts.maxSize() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %d bytes, limit %d: %w", path, st.Size(), opts.maxSize(), ErrTooLarge)
	}
	return f, &countingReader{r: f, limit: opts.maxSize(), total: st.Size(), progress: opts.Progress}, nil
}

func readGeoJSONFile(path string, f Format, opts ReadOptions, fn func(*Source, *Feature) error) error {
	file, cr, err := openLimited(path, opts)
	if err != nil {
		return err
	}
	defer file.Close()
	src := &Source{Path: path, Format: f, Layer: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), CRS: CGCS2000}
	if err := ReadGeoJSON(cr, src, opts, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// ReadGeoJSON streams a GeoJSON FeatureCollection, or newline-delimited Features (src.Format
// FormatNDJSON or a first line that is a whole Feature), from r. A legacy "crs" member naming an
// EPSG code sets src.CRS unless opts.CRS is set.
func ReadGeoJSON(r io.Reader, src *Source, opts ReadOptions, fn func(*Source, *Feature) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	if src.Format != FormatNDJSON {
		// A first line that is a complete Feature object means newline-delimited input.
		if line, _ := br.Peek(1 << 16); len(line) > 0 {
			if i := bytes.IndexByte(line, '\n'); i > 0 {
				var probe struct{ Type string }
				if json.Unmarshal(line[:i], &probe) == nil && probe.Type == "Feature" {
					src.Format = FormatNDJSON
				}
			}
		}
	}
	if opts.CRS != nil {
		src.CRS = *opts.CRS
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	emit := func(i int, rf *rawFeature) error {
		if rf.Type != "Feature" {
			return fmt.Errorf("feature %d: type %q, want \"Feature\": %w", i, rf.Type, ErrFormat)
		}
		f := &Feature{Index: i, Props: make(map[string]any, len(rf.Properties))}
		for k, v := range rf.Properties {
			f.Props[k] = jsonValue(v)
		}
		if rf.ID != nil {
			if _, ok := f.Props["id"]; !ok {
				f.Props["id"] = jsonValue(rf.ID)
			}
		}
		if len(rf.Geometry) > 0 && string(rf.Geometry) != "null" {
			g, err := decodeGeoJSONGeometry(rf.Geometry)
			if err != nil {
				return fmt.Errorf("feature %d: geometry: %v: %w", i, err, ErrFormat)
			}
			f.Geometry = src.CRS.Geometry(g)
		}
		return fn(src, f)
	}
	if src.Format == FormatNDJSON {
		for i := 0; ; i++ {
			var rf rawFeature
			if err := dec.Decode(&rf); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
			}
			if err := emit(i, &rf); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	sawType := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrFormat)
		}
		switch key {
		case "type":
			var t string
			if err := dec.Decode(&t); err != nil || t != "FeatureCollection" {
				return fmt.Errorf("type %q, want FeatureCollection: %w", t, ErrFormat)
			}
			sawType = true
		case "crs":
			var c struct {
				Properties struct{ Name string } `json:"properties"`
			}
			if err := dec.Decode(&c); err != nil {
				return fmt.Errorf("crs: %v: %w", err, ErrFormat)
			}
			if opts.CRS == nil && c.Properties.Name != "" {
				crs, err := crsFromURN(c.Properties.Name)
				if err != nil {
					return err
				}
				src.CRS = crs
			}
		case "features":
			if err := expectDelim(dec, '['); err != nil {
				return err
			}
			for i := 0; dec.More(); i++ {
				var rf rawFeature
				if err := dec.Decode(&rf); err != nil {
					return fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
				}
				if err := emit(i, &rf); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("member %v: %v: %w", key, err, ErrFormat)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if !sawType {
		return fmt.Errorf("no \"type\": \"FeatureCollection\": %w", ErrFormat)
	}
	return nil
}

// crsFromURN reads the legacy GeoJSON crs name: "urn:ogc:def:crs:EPSG::4549", "EPSG:4549",
// "urn:ogc:def:crs:OGC:1.3:CRS84".
func crsFromURN(name string) (CRS, error) {
	if strings.HasSuffix(name, "CRS84") {
		return ParseCRS("EPSG:4326")
	}
	i := strings.LastIndexAny(name, ":")
	return ParseCRS("EPSG:" + name[i+1:])
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("want %q: %v: %w", d, err, ErrFormat)
	}
	if t != d {
		return fmt.Errorf("want %q, got %v: %w", d, t, ErrFormat)
	}
	return nil
}

// jsonValue turns decoded JSON into Feature attribute values: numbers become float64 (or int64
// when integral and large), nested values their JSON text.
func jsonValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case string, bool, nil:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 1<<20) }

// decodeGeoJSONGeometry decodes the common geometry types directly (z values dropped) and
// leaves collections to orb.
func decodeGeoJSONGeometry(raw []byte) (orb.Geometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	pt := func(c []float64) (orb.Point, error) {
		if len(c) < 2 {
			return orb.Point{}, fmt.Errorf("position with %d numbers", len(c))
		}
		return orb.Point{c[0], c[1]}, nil
	}
	line := func(cs [][]float64) ([]orb.Point, error) {
		out := make([]orb.Point, len(cs))
		for i, c := range cs {
			p, err := pt(c)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	poly := func(rs [][][]float64) (orb.Polygon, error) {
		out := make(orb.Polygon, len(rs))
		for i, r := range rs {
			l, err := line(r)
			if err != nil {
				return nil, err
			}
			out[i] = orb.Ring(l)
		}
		return out, nil
	}
	switch g.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		return pt(c)
	case "LineString", "MultiPoint":
		var c [][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		l, err := line(c)
		if g.Type == "MultiPoint" {
			return orb.MultiPoint(l), err
		}
		return orb.LineString(l), err
	case "Polygon", "MultiLineString":
		var c [][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		p, err := poly(c)
		if err != nil || g.Type == "Polygon" {
			return p, err
		}
		ml := make(orb.MultiLineString, len(p))
		for i, r := range p {
			ml[i] = orb.LineString(r)
		}
		return ml, nil
	case "MultiPolygon":
		var c [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		mp := make(orb.MultiPolygon, len(c))
		for i, pc := range c {
			p, err := poly(pc)
			if err != nil {
				return nil, err
			}
			mp[i] = p
		}
		return mp, nil
	}
	og, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, err
	}
	return og.Geometry(), nil
}
