package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"citygeo/geo"

	json "github.com/goccy/go-json" // 2–3× encoding/json on million-feature files, same API
	"github.com/paulmach/orb"
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
	src := &Source{Path: path, Format: f, Layer: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), CRS: geo.CGCS2000}
	if err := ReadGeoJSON(cr, src, opts, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadGeoJSON streams a GeoJSON FeatureCollection, or newline-delimited Features (src.Format
// FormatNDJSON or a first line that is a whole Feature), from r. A legacy "crs" member naming an
// EPSG code sets src.CRS unless opts.CRS is set.
//
// This goroutine only splits the input into one raw text per feature; runtime.GOMAXPROCS
// workers decode them, and fn is called in this goroutine, in input order, as if read serially.
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
	features := func(more func() bool) error {
		crs := src.CRS // fixed while the features are decoded: a later "crs" member is not seen
		next := func() (json.RawMessage, error) {
			if more != nil && !more() {
				return nil, io.EOF
			}
			var raw json.RawMessage
			err := dec.Decode(&raw)
			return raw, err
		}
		return decodeFeatures(next, func(i int, raw []byte) (*Feature, error) {
			return decodeFeature(i, raw, crs)
		}, func(f *Feature) error { return fn(src, f) })
	}
	if src.Format == FormatNDJSON {
		return features(nil)
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
			if err := features(dec.More); err != nil {
				return err
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

// decodeFeature decodes feature i from its raw JSON text, with geometry in crs. It scans the
// object itself: a decoder into maps would allocate a map, and copies of each value, per
// feature only to convert them once more into Props.
func decodeFeature(i int, raw []byte, crs geo.CRS) (*Feature, error) {
	bad := func(err error) (*Feature, error) {
		return nil, fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
	}
	var typ string
	var id, props, geom []byte
	err := scanObject(raw, func(key string, v []byte) error {
		switch strings.ToLower(key) { // as a struct decoder matches field names
		case "type":
			t, err := rawValue(v)
			typ, _ = t.(string)
			return err
		case "id":
			id = v
		case "properties":
			props = v
		case "geometry":
			geom = v
		}
		return nil
	})
	if err != nil {
		return bad(err)
	}
	if typ != "Feature" {
		return nil, fmt.Errorf("feature %d: type %q, want \"Feature\": %w", i, typ, ErrFormat)
	}
	f := &Feature{Index: i, Props: make(map[string]any)}
	if len(props) > 0 && string(props) != "null" {
		err := scanObject(props, func(key string, v []byte) error {
			x, err := rawValue(v)
			if err != nil {
				return fmt.Errorf("property %q: %v", key, err)
			}
			f.Props[key] = x
			return nil
		})
		if err != nil {
			return bad(err)
		}
	}
	if len(id) > 0 && string(id) != "null" {
		if _, ok := f.Props["id"]; !ok {
			x, err := rawValue(id)
			if err != nil {
				return bad(fmt.Errorf("id: %v", err))
			}
			f.Props["id"] = x
		}
	}
	if len(geom) > 0 && string(geom) != "null" {
		g, err := decodeGeoJSONGeometry(geom)
		if err != nil {
			return nil, fmt.Errorf("feature %d: geometry: %v: %w", i, err, ErrFormat)
		}
		f.Geometry = toCGCS2000(crs, g)
	}
	return f, nil
}

// decodeBatch is the number of features handed to a decoding worker at a time: enough to make
// the channel operations per feature negligible, few enough to keep memory small.
const decodeBatch = 256

// featureBatch is decodeBatch consecutive raw features and, once done is closed, their decoded
// features up to the first error.
type featureBatch struct {
	first   int // index of raws[0] in the input
	raws    []json.RawMessage
	feats   []*Feature
	err     error // decode error of feats[len(feats)]
	readErr error // the input ended in an error after raws
	done    chan struct{}
}

// decodeFeatures reads raw features with next (in one goroutine, until io.EOF), decodes them
// with decode on runtime.GOMAXPROCS workers, and calls fn in the calling goroutine in input
// order. The first error in input order (a read, decode or fn error) is returned; by then every
// goroutine started here has ended. At most about 3×GOMAXPROCS batches are in flight.
// decodeSafely calls decode, turning a panic into the feature's format error: decoding runs in
// worker goroutines, where a panic would end the process (a server's, for an upload), not
// just the request.
func decodeSafely(decode func(i int, raw []byte) (*Feature, error), i int, raw []byte) (f *Feature, err error) {
	defer func() {
		if v := recover(); v != nil {
			f, err = nil, fmt.Errorf("feature %d: unreadable (%v): %w", i, v, ErrFormat)
		}
	}()
	return decode(i, raw)
}

func decodeFeatures(next func() (json.RawMessage, error), decode func(i int, raw []byte) (*Feature, error), fn func(*Feature) error) error {
	workers := runtime.GOMAXPROCS(0)
	stop := make(chan struct{})
	jobs := make(chan *featureBatch, workers)
	order := make(chan *featureBatch, 2*workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		for i := 0; ; {
			b := &featureBatch{first: i, done: make(chan struct{})}
			eof := false
			for len(b.raws) < decodeBatch {
				raw, err := next()
				if errors.Is(err, io.EOF) {
					eof = true
					break
				}
				if err != nil {
					b.readErr = fmt.Errorf("feature %d: %v: %w", i, err, ErrFormat)
					break
				}
				b.raws = append(b.raws, raw)
				i++
			}
			// Queue the batch for fn before a worker can finish it, so that order is kept.
			select {
			case order <- b:
			case <-stop:
				return
			}
			select {
			case jobs <- b:
			case <-stop:
				return
			}
			if eof || b.readErr != nil {
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for b := range jobs {
				select {
				case <-stop:
					close(b.done)
					continue // nobody waits for it any more
				default:
				}
				b.feats = make([]*Feature, 0, len(b.raws))
				for j, raw := range b.raws {
					f, err := decodeSafely(decode, b.first+j, raw)
					if err != nil {
						b.err = err
						break
					}
					b.feats = append(b.feats, f)
				}
				b.raws = nil
				close(b.done)
			}
		})
	}
	for b := range order {
		<-b.done
		for _, f := range b.feats {
			if err := fn(f); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		if b.readErr != nil {
			return b.readErr
		}
	}
	return nil
}

// crsFromURN reads the legacy GeoJSON crs name: "urn:ogc:def:crs:EPSG::4549", "EPSG:4549",
// "urn:ogc:def:crs:OGC:1.3:CRS84".
func crsFromURN(name string) (geo.CRS, error) {
	if strings.HasSuffix(name, "CRS84") {
		return geo.WGS84, nil
	}
	// The code after the last colon: a number, or a name such as cgcs2000. An empty one is an
	// error, not geo.ParseCRS's WGS84 default.
	code := name[strings.LastIndexAny(name, ":")+1:]
	if strings.TrimSpace(code) == "" {
		return geo.CRS{}, fmt.Errorf("crs %q: %w", name, ErrCRS)
	}
	return geo.ParseCRS(code)
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

// decodeGeoJSONGeometry decodes a GeoJSON geometry (z values dropped).
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
	case "GeometryCollection":
		// Decoded here rather than by orb, which dereferences a null member.
		var gc struct {
			Geometries []json.RawMessage `json:"geometries"`
		}
		if err := json.Unmarshal(raw, &gc); err != nil {
			return nil, err
		}
		out := make(orb.Collection, 0, len(gc.Geometries))
		for i, m := range gc.Geometries {
			if len(m) == 0 || string(m) == "null" {
				return nil, fmt.Errorf("member %d of the GeometryCollection is null", i)
			}
			sub, err := decodeGeoJSONGeometry(m)
			if err != nil {
				return nil, fmt.Errorf("member %d of the GeometryCollection: %w", i, err)
			}
			out = append(out, sub)
		}
		return out, nil
	}
	return nil, fmt.Errorf("geometry type %q: want Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon or GeometryCollection", g.Type)
}
