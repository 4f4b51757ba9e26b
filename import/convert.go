package importer

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"citygeo/data"
	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// chinaBound is generous on purpose: it catches coordinates read in the wrong CRS (metres taken
// as degrees, lat/lon swapped), not features just over a border.
var chinaBound = orb.Bound{Min: orb.Point{70, 0}, Max: orb.Point{140, 56}}

// resolved is a LayerMapping bound to one source's actual column names.
type resolved struct {
	LayerMapping
	defs    []schema.Def // the kind's fields
	tmpl    map[string][]tmplPart
	present map[string]string // upper-cased column → actual
	seen    map[string]bool   // property keys met so far
	info    *SourceInfo
	cols    map[string]string // model field → source column actually present
	used    map[string]bool   // source columns consumed by a field
	// extra, for a source whose features have EveryColumn, lists the columns no field uses
	// (a component's Extra), in the order of Source.Columns.
	extra   []string
	src     *Source
	bound   orb.Bound // of the features located so far (CGCS2000)
	located int       // features with a geometry in the CRS's area of use
	guess   string    // the area-of-use finding's reason, worked out once per layer
	// plan holds, per field of the kind's schema layer, where read finds it; worked out on
	// first use after each resolveFields.
	plan []fieldPlan
}

// fieldPlan is where a field's value comes from, for read's fast path: most fields are a
// column taken as it is, and four map lookups a field on two million features cost seconds.
type fieldPlan struct {
	ready  bool
	direct bool   // a column taken as it is: no constant, template or value table
	col    string // the column, when direct
	at     int    // its position in the source's Columns (for Feature.Values); −1 when not there
	last   string // the previous feature's value when the field repeats, interned
}

// converter turns features into model objects, collecting findings.
type converter struct {
	m      *Mapping
	ds     *data.Dataset
	report *Report
	kinds  map[schema.Kind]bool
	layers map[*Source]*resolved
	order  []*resolved // layers in the order read
	derive []deriveJob
	intern map[string]string // one copy of each repeated value (department names, grid codes …)
	// deletes, when not nil (an upsert), collects the ids of rows marked in DeleteColumn
	// instead of converting them.
	deletes map[schema.Kind][]string
	// stream, when not nil, stores the features converted while the files are still read;
	// streamed counts per layer the features handed to it.
	stream   data.VersionWriter
	streamed map[data.Layer]int
}

// The converter hands its new features to the stream every streamPart features, looking every
// streamCheck records: parts big enough that the writer's goroutines are woken rarely, small
// enough that they start early.
const (
	streamCheck = 1024
	streamPart  = 8192
)

// flush hands the features converted since the last flush to c.stream when there are at least
// min of them. Areas are not streamed: the version's areas are the base's merged with the
// imported ones. Nothing more is streamed once an error is found: the version will be dropped.
func (c *converter) flush(min int) {
	if c.stream == nil {
		return
	}
	if c.report.Errors > 0 {
		c.stream = nil
		return
	}
	if c.streamed == nil {
		c.streamed = map[data.Layer]int{}
	}
	n := 0
	for _, l := range data.Layers {
		if l != data.LayerArea {
			n += c.ds.Count(l) - c.streamed[l]
		}
	}
	if n < min {
		return
	}
	part := c.ds.From(c.streamed)
	part.Areas = nil
	if err := c.stream.Write(part); err != nil {
		// The writer failed: Commit reports why. Stop handing it features.
		c.stream = nil
		return
	}
	for _, l := range data.Layers {
		if l != data.LayerArea {
			c.streamed[l] = c.ds.Count(l)
		}
	}
}

// maxInterned bounds the intern table; past it values are kept as read.
const maxInterned = 1 << 16

func (c *converter) interned(s string) string {
	if v, ok := c.intern[s]; ok {
		return v
	}
	if len(c.intern) < maxInterned {
		c.intern[s] = s
	}
	return s
}

type deriveJob struct {
	area *data.Area
	size float64
}

func newConverter(m *Mapping, r *Report) *converter {
	if m == nil {
		m = &Mapping{}
	}
	return &converter{m: m, ds: &data.Dataset{Name: m.Name}, report: r, kinds: map[schema.Kind]bool{}, layers: map[*Source]*resolved{},
		intern: map[string]string{}}
}

func (c *converter) resolve(src *Source, f *Feature) (*resolved, error) {
	if r, ok := c.layers[src]; ok {
		return r, nil
	}
	lm, err := c.m.layerFor(src)
	if err != nil {
		return nil, err
	}
	r := &resolved{LayerMapping: lm, defs: schema.Defs(lm.Kind), cols: map[string]string{}, used: map[string]bool{}, src: src}
	r.info = &SourceInfo{Path: src.Path, Layer: src.Layer, Format: src.Format, Kind: lm.Kind, CRS: src.CRS.Code(), Charset: src.Charset}
	if !lm.Skip {
		r.present = map[string]string{}
		r.seen = map[string]bool{}
		for _, col := range src.Columns {
			r.present[strings.ToUpper(col)] = col
		}
		r.observe(f)
		c.kinds[lm.Kind] = true
	}
	c.layers[src] = r
	if !lm.Skip {
		c.order = append(c.order, r)
	}
	c.report.Sources = append(c.report.Sources, r.info)
	if caveat := src.CRS.Caveat(); caveat != "" && !lm.Skip {
		// Said once per source layer: the whole layer is off by the same unknown shift.
		c.report.add(Finding{Check: "crs.datum", Severity: SeverityWarning, Layer: lm.Kind, Index: -1, Field: "crs",
			Value: src.CRS.Code(), Reason: caveat, File: src.Path})
	}
	return r, nil
}

// checkMappedColumns reports each field a layer's mapping reads from a column its file does not
// have under any of the names given: read from nowhere, every record would lack the field
// without a word (a typo in the mapping, or another file than the one it was written for).
// A layer without records is passed over: a GeoJSON file's columns are its features' keys.
func (c *converter) checkMappedColumns() {
	for _, r := range c.order {
		if r.info.Features == 0 {
			continue
		}
		for _, field := range slices.Sorted(maps.Keys(r.Fields)) {
			_, resolved := r.cols[field]
			_, tmpl := r.Templates[field]
			_, cnst := r.Const[field]
			if resolved || tmpl || cnst || !slices.ContainsFunc(r.defs, func(d schema.Def) bool { return d.Key == field }) {
				continue // read, built otherwise, or not a field of the kind (the mapping's own check)
			}
			have := slices.Sorted(maps.Values(r.present))
			c.report.add(Finding{Check: "mapping.column", Severity: SeverityError, Layer: r.Kind, Index: -1, Field: field,
				Value: r.Fields[field], File: r.src.Path,
				Reason: fmt.Sprintf("the mapping reads %s from %s, a column %s does not have (its columns: %s)",
					field, strings.ReplaceAll(r.Fields[field], "|", " or "), filepath.Base(r.src.Path), strings.Join(have, ", "))})
		}
	}
}

// observe notes the property keys of a feature; a key not met before (GeoJSON may omit empty
// properties) can resolve a field that earlier features left unresolved.
func (r *resolved) observe(f *Feature) {
	if r.src.EveryColumn && r.tmpl != nil {
		return // every feature has the keys the first one had
	}
	changed := false
	f.each(r.src, func(k string, _ any) {
		if !r.seen[k] {
			r.seen[k] = true
			r.present[strings.ToUpper(k)] = k
			changed = true
		}
	})
	if changed || r.tmpl == nil {
		r.resolveFields()
	}
}

func (r *resolved) resolveFields() {
	r.plan = nil
	if r.tmpl == nil {
		r.tmpl = map[string][]tmplPart{}
		for field, t := range r.Templates {
			r.tmpl[field], _ = parseTemplate(t)
		}
	}
	for _, parts := range r.tmpl {
		for _, p := range parts {
			if actual, ok := r.present[strings.ToUpper(p.col)]; ok {
				r.used[actual] = true
			}
		}
	}
	for _, d := range r.defs {
		field := d.Key
		if _, done := r.cols[field]; done {
			continue
		}
		cands := d.Columns
		if col, ok := r.Fields[field]; ok {
			cands = strings.Split(col, "|")
		}
		for _, cand := range cands {
			if actual, ok := r.present[strings.ToUpper(cand)]; ok {
				r.cols[field] = actual
				r.used[actual] = true
				break
			}
		}
	}
	if r.src.EveryColumn {
		r.extra = r.extra[:0]
		for _, col := range r.src.Columns {
			if !r.used[col] {
				r.extra = append(r.extra, col)
			}
		}
	}
}

// featureCtx reads one feature's fields through its layer mapping.
type featureCtx struct {
	c   *converter
	r   *resolved
	src *Source
	f   *Feature
	id  string
}

func (x *featureCtx) finding(check, field, value, reason string, sev Severity) {
	if x.c.report.counted(check, sev) {
		return
	}
	x.c.report.add(Finding{Check: check, Severity: sev, Layer: x.r.Kind, Index: x.f.Index, SourceID: x.id,
		Field: field, Value: value, Reason: reason, File: x.src.Path, Location: at(x.f.Geometry)})
}

// get returns a field's source text.
func (x *featureCtx) get(field string) string { return x.value(field, false).Text }

// value returns a field's source value: a mapping constant or template, else the field's column
// rewritten through the mapping's value table. Values that repeat are kept once.
func (x *featureCtx) value(field string, repeats bool) schema.Value {
	if v, ok := x.r.Const[field]; ok {
		return schema.Value{Text: v}
	}
	if t, ok := x.r.tmpl[field]; ok {
		return schema.Value{Text: x.expand(field, t)}
	}
	col, ok := x.r.cols[field]
	if !ok {
		return schema.Value{}
	}
	raw, _ := x.f.Prop(x.src, col)
	s := text(raw)
	if repeats {
		s = x.c.interned(s)
	}
	if table, ok := x.r.Values[field]; ok && s != "" {
		v, ok := table[s]
		if !ok {
			x.finding("mapping.value", col, s, fmt.Sprintf("value has no entry in the mapping's %s table", field), SeverityError)
			return schema.Value{}
		}
		return schema.Value{Text: v}
	}
	return schema.Value{Text: s, Raw: raw}
}

// valueAt is value(field, repeats) for field i of n in the kind's schema layer, through the
// layer's plan: a column taken as it is is looked up once per feature, and a repeating value
// equal to the previous feature's (runs of one grid or department) skips the intern table.
func (x *featureCtx) valueAt(i int, field string, repeats bool, n int) schema.Value {
	if len(x.r.plan) != n {
		x.r.plan = make([]fieldPlan, n)
	}
	p := &x.r.plan[i]
	if !p.ready {
		_, konst := x.r.Const[field]
		_, tmpl := x.r.tmpl[field]
		_, table := x.r.Values[field]
		col, ok := x.r.cols[field]
		p.ready, p.direct, p.col, p.at = true, !konst && !tmpl && !table && ok, col, slices.Index(x.src.Columns, col)
	}
	if !p.direct {
		return x.value(field, repeats)
	}
	var raw any
	if x.f.Values != nil && p.at >= 0 && p.at < len(x.f.Values) {
		raw = x.f.Values[p.at]
	} else {
		raw, _ = x.f.Prop(x.src, p.col)
	}
	s := text(raw)
	if repeats {
		if s == p.last {
			s = p.last
		} else {
			s = x.c.interned(s)
			p.last = s
		}
	}
	return schema.Value{Text: s, Raw: raw}
}

// read reads every field of layer l into m. The first field identifies the feature, so it is
// read first and names the feature in the findings that follow. seq is the feature's 1-based
// position in its dataset layer.
func read[T any](x *featureCtx, l *schema.Layer[T], m *T, seq int) {
	for i := range l.Fields {
		f := &l.Fields[i]
		if f.Read == nil {
			continue
		}
		v := x.valueAt(i, f.Key, f.Repeats, len(l.Fields))
		v.Seq = seq
		if i == 0 {
			x.id = v.Text
		}
		if err := f.Read(m, v); err != nil {
			x.finding(err.Check, x.r.cols[f.Key], v.Text, err.Reason, SeverityError)
		}
	}
}

func (x *featureCtx) expand(field string, parts []tmplPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.col == "" {
			b.WriteString(p.lit)
			continue
		}
		var s string
		if p.col == "seq" {
			s = strconv.Itoa(x.f.Index + 1)
		} else {
			col := x.r.present[strings.ToUpper(p.col)]
			v, _ := x.f.Prop(x.src, col)
			s = text(v)
			if table, ok := x.r.Values[p.col]; ok {
				v, ok := table[s]
				if !ok {
					x.finding("mapping.value", p.col, s, fmt.Sprintf("value has no entry in the mapping's %s table", p.col), SeverityError)
					return ""
				}
				s = v
			}
		}
		if len(s) < p.width {
			s = strings.Repeat("0", p.width-len(s)) + s
		} else if p.width > 0 && len(s) > p.width {
			x.finding("mapping.template", p.col, s, fmt.Sprintf("longer than the %d digits the %s template allows", p.width, field), SeverityError)
		}
		b.WriteString(s)
	}
	return b.String()
}

// add converts one feature into the dataset.
func (c *converter) add(src *Source, f *Feature) error {
	r, err := c.resolve(src, f)
	if err != nil {
		return err
	}
	if r.Skip {
		return nil
	}
	r.observe(f)
	r.info.Features++
	x := &featureCtx{c: c, r: r, src: src, f: f}
	if c.deletes != nil && deleteMarked(src, f) {
		c.deletes[r.Kind] = append(c.deletes[r.Kind], x.get(schema.Key(r.Kind)))
		return nil
	}
	c.report.Counts[r.Kind]++
	if g := f.Geometry; g != nil && r.Kind != schema.Department {
		switch {
		case badCoords(g):
			x.id = x.get(schema.Key(r.Kind))
			x.finding("geometry.range", "geometry", fmt.Sprint(g.Bound().Min), fmt.Sprintf("coordinates are not numbers after conversion from %s", src.CRS.Code()), SeverityError)
			f.Geometry = nil
		case src.CRS.Projected() && !x.inAreaOfUse(g):
			f.Geometry = nil
		case !chinaBound.Contains(g.Bound().Min) || !chinaBound.Contains(g.Bound().Max):
			x.id = x.get(schema.Key(r.Kind))
			reason := fmt.Sprintf("coordinates outside China after conversion from %s: wrong CRS, swapped axes or broken values", src.CRS.Code())
			if why := geo.Explain(geo.FromCGCS2000(g.Bound().Min, src.CRS), orb.Bound{}); why != "" {
				reason += "; " + why
			}
			x.finding("geometry.range", "geometry", fmt.Sprint(g.Bound().Min), reason, SeverityError)
			f.Geometry = nil
		default:
			if r.located == 0 {
				r.bound = g.Bound()
			} else {
				r.bound = r.bound.Union(g.Bound())
			}
			r.located++
		}
	}
	switch r.Kind {
	case schema.District, schema.Street, schema.Community:
		c.addArea(x)
	case schema.Grid:
		c.addGrid(x)
	case schema.Component:
		c.addComponent(x)
	case schema.Department:
		d := &data.Department{}
		read(x, &schema.Departments, d, len(c.ds.Departments)+1)
		c.ds.Departments = append(c.ds.Departments, d)
	case schema.Road:
		c.addRoad(x)
	case schema.Address:
		c.addAddress(x)
	case schema.POI:
		c.addPOI(x)
	case schema.Building:
		c.addBuilding(x)
	}
	return nil
}

func badCoords(g orb.Geometry) bool {
	b := g.Bound()
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

func (x *featureCtx) needGeometry() bool {
	if x.f.Geometry == nil {
		x.finding("geometry.missing", "geometry", "", "feature has no geometry", SeverityError)
		return false
	}
	return true
}

// normPolygon orients rings the GeoJSON way (exterior counter-clockwise, holes clockwise), so
// a Shapefile's clockwise exteriors read back equal to what was exported.
func normPolygon(p orb.Polygon) orb.Polygon {
	for i, r := range p {
		if len(r) > 3 {
			p[i] = orientRing(r, i == 0)
		}
	}
	return p
}

func (x *featureCtx) multiPolygon() orb.MultiPolygon {
	switch g := x.f.Geometry.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{normPolygon(g)}
	case orb.MultiPolygon:
		for i := range g {
			g[i] = normPolygon(g[i])
		}
		return g
	}
	x.finding("geometry.type", "geometry", x.f.Geometry.GeoJSONType(), "want Polygon or MultiPolygon", SeverityError)
	return nil
}

func (c *converter) addArea(x *featureCtx) {
	a := &data.Area{Level: x.r.Kind.Level()}
	read(x, &schema.Areas, a, len(c.ds.Areas)+1)
	if a.Parent == "" {
		a.Parent = data.Parent(a.Code)
	}
	if x.needGeometry() {
		a.Polygon = x.multiPolygon()
	}
	if a.Label == (orb.Point{}) && len(a.Polygon) > 0 {
		a.Label = labelPoint(a.Polygon)
	}
	c.ds.Areas = append(c.ds.Areas, a)
	if x.r.DeriveGrids != nil {
		c.derive = append(c.derive, deriveJob{area: a, size: x.r.DeriveGrids.SizeM})
	}
}

func (c *converter) addGrid(x *featureCtx) {
	g := &data.Grid{}
	read(x, &schema.Grids, g, len(c.ds.Grids)+1)
	if g.Community == "" && len(g.Code) >= 12 {
		g.Community = g.Code[:12]
	}
	if x.needGeometry() {
		switch mp := x.multiPolygon(); len(mp) {
		case 0:
		case 1:
			g.Polygon = mp[0]
		default:
			x.finding("geometry.type", "geometry", "MultiPolygon", fmt.Sprintf("a unit grid is one polygon, this one has %d parts", len(mp)), SeverityError)
		}
	}
	if g.AreaM2 == 0 && g.Polygon != nil { // no area column: measure the polygon
		g.AreaM2 = orbgeo.Area(g.Polygon)
	}
	c.ds.Grids = append(c.ds.Grids, g)
}

func (c *converter) addComponent(x *featureCtx) {
	cm := &data.Component{}
	read(x, &schema.Components, cm, len(c.ds.Components)+1)
	switch len(cm.ID) {
	case 16:
		cm.Scheme, cm.Major, cm.Minor = data.CJT214, cm.ID[6:8], cm.ID[8:10]
	case 17:
		cm.Scheme, cm.Major, cm.Minor = data.GBT4767, cm.ID[6:8], cm.ID[8:11]
	}
	if mj, mn := x.get("major"), x.get("minor"); mj != "" || mn != "" {
		switch {
		case cm.Major == "" || (mj == cm.Major && mn == cm.Minor):
		case lostZeros(mj, cm.Major) && lostZeros(mn, cm.Minor), lostZeros(mj+mn, cm.Major+cm.Minor):
			// A spreadsheet read the class columns as numbers (1 and 18 for 01 and 18, or 118
			// for 0118 in one column): the id says the same class with its zeros, so it is that
			// class.
			x.finding("component.class_zeros", x.r.cols["major"], mj+"|"+mn,
				"class columns lost their leading zeros (read as numbers by a spreadsheet); the class the id says is used", SeverityWarning)
		default:
			x.finding("component.class_mismatch", x.r.cols["minor"], mj+mn, fmt.Sprintf("class columns say %s%s, the id says %s%s", mj, mn, cm.Major, cm.Minor), SeverityError)
		}
	}
	addExtra := func(k string, v any) {
		if s := text(v); s != "" {
			if cm.Extra == nil {
				cm.Extra = map[string]string{}
			}
			cm.Extra[k] = s
		}
	}
	if x.src.EveryColumn {
		for _, k := range x.r.extra {
			v, _ := x.f.Prop(x.src, k)
			addExtra(k, v)
		}
	} else {
		x.f.each(x.src, func(k string, v any) {
			if !x.r.used[k] {
				addExtra(k, v)
			}
		})
	}
	if x.needGeometry() {
		cm.Geometry = single(x.f.Geometry)
		if p, ok := cm.Geometry.(orb.Polygon); ok {
			cm.Geometry = normPolygon(p)
		}
	}
	c.ds.Components = append(c.ds.Components, cm)
}

// lostZeros reports whether col is want with some of its leading zeros dropped.
func lostZeros(col, want string) bool {
	return len(col) <= len(want) && strings.Repeat("0", len(want)-len(col))+col == want
}

// single unwraps one-member multi-geometries (Shapefile polygons are always multi).
func single(g orb.Geometry) orb.Geometry {
	switch m := g.(type) {
	case orb.MultiPoint:
		if len(m) == 1 {
			return m[0]
		}
	case orb.MultiLineString:
		if len(m) == 1 {
			return m[0]
		}
	case orb.MultiPolygon:
		if len(m) == 1 {
			return m[0]
		}
	}
	return g
}

func (x *featureCtx) point() orb.Point {
	if !x.needGeometry() {
		return orb.Point{}
	}
	switch g := single(x.f.Geometry).(type) {
	case orb.Point:
		return g
	case orb.Polygon:
		return labelPoint(orb.MultiPolygon{g})
	}
	x.finding("geometry.type", "geometry", x.f.Geometry.GeoJSONType(), "want a Point", SeverityError)
	return orb.Point{}
}

func (c *converter) addRoad(x *featureCtx) {
	r := &data.Road{}
	read(x, &schema.Roads, r, len(c.ds.Roads)+1)
	if x.needGeometry() {
		switch g := single(x.f.Geometry).(type) {
		case orb.LineString:
			r.Line = g
		case orb.MultiLineString:
			for _, l := range g { // keep the parts in order; a road is drawn as one line
				r.Line = append(r.Line, l...)
			}
		default:
			x.finding("geometry.type", "geometry", g.GeoJSONType(), "want a LineString", SeverityError)
		}
	}
	c.ds.Roads = append(c.ds.Roads, r)
}

func (c *converter) addAddress(x *featureCtx) {
	a := &data.Address{}
	read(x, &schema.Addresses, a, len(c.ds.Addresses)+1)
	a.Point = x.point()
	c.ds.Addresses = append(c.ds.Addresses, a)
}

func (c *converter) addPOI(x *featureCtx) {
	p := &data.POI{}
	read(x, &schema.POIs, p, len(c.ds.POIs)+1)
	p.Point = x.point()
	c.ds.POIs = append(c.ds.POIs, p)
}

func (c *converter) addBuilding(x *featureCtx) {
	b := &data.Building{}
	read(x, &schema.Buildings, b, len(c.ds.Buildings)+1)
	given := b.Point // from point columns: they win over the geometry
	if x.needGeometry() {
		switch g := single(x.f.Geometry).(type) {
		case orb.Point:
			b.Point = g
		case orb.Polygon:
			b.Footprint = normPolygon(g)
			b.Point = labelPoint(orb.MultiPolygon{g})
		default:
			x.finding("geometry.type", "geometry", g.GeoJSONType(), "want a Point or a Polygon footprint", SeverityError)
		}
	}
	if given != (orb.Point{}) {
		b.Point = given
	}
	c.ds.Buildings = append(c.ds.Buildings, b)
}

// labelPoint returns a point inside the largest polygon: the centroid when inside, else the
// middle of the widest horizontal run through it.
func labelPoint(mp orb.MultiPolygon) orb.Point {
	var best orb.Polygon
	bestA := -1.0
	for _, p := range mp {
		if a := math.Abs(planar.Area(p)); a > bestA {
			best, bestA = p, a
		}
	}
	if len(best) == 0 || len(best[0]) == 0 {
		return orb.Point{}
	}
	c, _ := planar.CentroidArea(best)
	if planar.PolygonContains(best, c) {
		return c
	}
	b := best.Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	xs := crossings(best, y)
	wi, ww := -1, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > ww {
			wi, ww = i, w
		}
	}
	if wi < 0 {
		return best[0][0]
	}
	return orb.Point{(xs[wi] + xs[wi+1]) / 2, y}
}
