package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"citygeo/data"

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
	tmpl    map[string][]tmplPart
	present map[string]string // upper-cased column → actual
	seen    map[string]bool   // property keys met so far
	info    *SourceInfo
	cols    map[string]string // model field → source column actually present
	used    map[string]bool   // source columns consumed by a field
}

// converter turns features into model objects, collecting findings.
type converter struct {
	m      *Mapping
	ds     *data.Dataset
	report *Report
	kinds  map[Kind]bool
	layers map[*Source]*resolved
	derive []deriveJob
	intern map[string]string // one copy of each repeated value (department names, grid codes …)
}

// maxInterned bounds the intern table; past it values are kept as read.
const maxInterned = 1 << 16

// internFields are the fields whose values repeat across many features.
var internFields = map[string]bool{
	"owner_code": true, "owner_name": true, "property_code": true, "property_name": true,
	"maintainer_code": true, "maintainer_name": true, "grid": true, "status": true, "source": true,
	"community": true, "road": true, "category": true, "class": true, "parent": true,
}

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
	return &converter{m: m, ds: &data.Dataset{Name: m.Name}, report: r, kinds: map[Kind]bool{}, layers: map[*Source]*resolved{},
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
	r := &resolved{LayerMapping: lm, cols: map[string]string{}, used: map[string]bool{}}
	r.info = &SourceInfo{Path: src.Path, Layer: src.Layer, Format: src.Format, Kind: lm.Kind, CRS: src.CRS.Code(), Charset: src.Charset}
	if !lm.Skip {
		r.present = map[string]string{}
		r.seen = map[string]bool{}
		for _, col := range src.Columns {
			r.present[strings.ToUpper(col)] = col
		}
		r.observe(f.Props)
		c.kinds[lm.Kind] = true
	}
	c.layers[src] = r
	c.report.Sources = append(c.report.Sources, r.info)
	return r, nil
}

// observe notes the property keys of a feature; a key not met before (GeoJSON may omit empty
// properties) can resolve a field that earlier features left unresolved.
func (r *resolved) observe(props map[string]any) {
	changed := false
	for k := range props {
		if !r.seen[k] {
			r.seen[k] = true
			r.present[strings.ToUpper(k)] = k
			changed = true
		}
	}
	if changed || r.tmpl == nil {
		r.resolveFields()
	}
}

func (r *resolved) resolveFields() {
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
	for field, defaults := range DefaultColumns[r.Kind] {
		if _, done := r.cols[field]; done {
			continue
		}
		cands := defaults
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
	x.c.report.add(Finding{Check: check, Severity: sev, Layer: x.r.Kind, Index: x.f.Index, SourceID: x.id,
		Field: field, Value: value, Reason: reason, File: x.src.Path})
}

func (x *featureCtx) get(field string) string {
	if v, ok := x.r.Const[field]; ok {
		return v
	}
	if t, ok := x.r.tmpl[field]; ok {
		return x.expand(field, t)
	}
	col, ok := x.r.cols[field]
	if !ok {
		return ""
	}
	s := text(x.f.Props[col])
	if internFields[field] {
		s = x.c.interned(s)
	}
	if table, ok := x.r.Values[field]; ok && s != "" {
		v, ok := table[s]
		if !ok {
			x.finding("mapping.value", col, s, fmt.Sprintf("value has no entry in the mapping's %s table", field), SeverityError)
			return ""
		}
		return v
	}
	return s
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
			s = text(x.f.Props[col])
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

func (x *featureCtx) date(field string) time.Time {
	s := x.get(field)
	if s == "" {
		return time.Time{}
	}
	if v, ok := x.f.Props[x.r.cols[field]].(time.Time); ok && x.r.Values[field] == nil {
		return v
	}
	t, err := parseDate(s)
	if err != nil {
		x.finding("date.parse", x.r.cols[field], s, "not a date (want YYYY-MM-DD, YYYYMMDD or RFC 3339)", SeverityError)
	}
	return t
}

func (x *featureCtx) number(field string) (float64, bool) {
	s := x.get(field)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		x.finding("number.parse", x.r.cols[field], s, "not a number", SeverityError)
		return 0, false
	}
	return v, true
}

func (x *featureCtx) uid(field string, fallback int) uint64 {
	s := x.get(field)
	if s == "" {
		return uint64(fallback + 1)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		x.finding("id.parse", x.r.cols[field], s, "not a positive integer id", SeverityError)
	}
	return v
}

func (x *featureCtx) bool(field string) bool {
	switch strings.ToLower(x.get(field)) {
	case "1", "true", "t", "yes", "y", "是":
		return true
	}
	return false
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "20060102", "2006/01/02", "2006/1/2", "2006-1-2", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
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
	r.observe(f.Props)
	r.info.Features++
	c.report.Counts[r.Kind]++
	x := &featureCtx{c: c, r: r, src: src, f: f}
	if g := f.Geometry; g != nil && r.Kind != KindDepartment {
		if !chinaBound.Contains(g.Bound().Min) || !chinaBound.Contains(g.Bound().Max) || badCoords(g) {
			x.id = x.get(idField(r.Kind))
			x.finding("geometry.range", "geometry", fmt.Sprint(g.Bound().Min), fmt.Sprintf("coordinates outside China after conversion from %s: wrong CRS, swapped axes or broken values", src.CRS.Code()), SeverityError)
			f.Geometry = nil
		}
	}
	switch r.Kind {
	case KindDistrict, KindStreet, KindCommunity:
		c.addArea(x)
	case KindGrid:
		c.addGrid(x)
	case KindComponent:
		c.addComponent(x)
	case KindDepartment:
		x.id = x.get("code")
		c.ds.Departments = append(c.ds.Departments, &data.Department{Code: x.id, Name: x.get("name")})
	case KindRoad:
		c.addRoad(x)
	case KindAddress:
		c.addAddress(x)
	case KindPOI:
		c.addPOI(x)
	case KindBuilding:
		c.addBuilding(x)
	}
	return nil
}

func idField(k Kind) string {
	switch k {
	case KindDistrict, KindStreet, KindCommunity, KindGrid, KindDepartment:
		return "code"
	}
	return "id"
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
	x.id = x.get("code")
	a := &data.Area{Code: x.id, Name: x.get("name"), Level: kindLevel(x.r.Kind), Parent: x.get("parent"), Derived: x.bool("derived")}
	if lon, ok := x.number("label_lon"); ok {
		lat, _ := x.number("label_lat")
		a.Label = orb.Point{lon, lat}
	}
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
	x.id = x.get("code")
	g := &data.Grid{Code: x.id, Community: x.get("community"), Derived: x.bool("derived")}
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
	if v, ok := x.number("area_m2"); ok {
		g.AreaM2 = v
	} else if g.Polygon != nil {
		g.AreaM2 = orbgeo.Area(g.Polygon)
	}
	c.ds.Grids = append(c.ds.Grids, g)
}

func (c *converter) addComponent(x *featureCtx) {
	x.id = x.get("id")
	cm := &data.Component{ID: x.id, Name: x.get("name"), Grid: x.get("grid"), Source: x.get("source"), Note: x.get("note"),
		Owner:      data.DeptRef{Code: x.get("owner_code"), Name: x.get("owner_name")},
		Property:   data.DeptRef{Code: x.get("property_code"), Name: x.get("property_name")},
		Maintainer: data.DeptRef{Code: x.get("maintainer_code"), Name: x.get("maintainer_name")},
		InitDate:   x.date("init_date"), ChangeDate: x.date("change_date")}
	switch len(cm.ID) {
	case 16:
		cm.Scheme, cm.Major, cm.Minor = data.CJT214, cm.ID[6:8], cm.ID[8:10]
	case 17:
		cm.Scheme, cm.Major, cm.Minor = data.GBT4767, cm.ID[6:8], cm.ID[8:11]
	}
	if mj, mn := x.get("major"), x.get("minor"); mj != "" || mn != "" {
		if cm.Major != "" && (mj != cm.Major || mn != cm.Minor) {
			x.finding("component.class_mismatch", x.r.cols["minor"], mj+mn, fmt.Sprintf("class columns say %s%s, the id says %s%s", mj, mn, cm.Major, cm.Minor), SeverityError)
		}
	}
	if s := x.get("status"); s != "" {
		st, err := data.ParseStatus(s)
		if err != nil {
			x.finding("component.status", x.r.cols["status"], s, err.Error(), SeverityError)
		}
		cm.Status = st
	}
	for k, v := range x.f.Props {
		if x.r.used[k] {
			continue
		}
		if s := text(v); s != "" {
			if cm.Extra == nil {
				cm.Extra = map[string]string{}
			}
			cm.Extra[k] = s
		}
	}
	if x.needGeometry() {
		cm.Geometry = single(x.f.Geometry)
		if p, ok := cm.Geometry.(orb.Polygon); ok {
			cm.Geometry = normPolygon(p)
		}
	}
	c.ds.Components = append(c.ds.Components, cm)
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
	x.id = x.get("id")
	r := &data.Road{ID: x.uid("id", len(c.ds.Roads)), Name: x.get("name"), Class: data.RoadClass(x.get("class"))}
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
	x.id = x.get("id")
	a := &data.Address{ID: x.uid("id", len(c.ds.Addresses)), Road: x.get("road"), Section: x.get("section"), Lane: x.get("lane"),
		Alley: x.get("alley"), Suffix: x.get("suffix"), Full: x.get("full"), Community: x.get("community"), Source: x.get("source")}
	if n, ok := x.number("number"); ok {
		a.Number = int(n)
	}
	a.Point = x.point()
	c.ds.Addresses = append(c.ds.Addresses, a)
}

func (c *converter) addPOI(x *featureCtx) {
	x.id = x.get("id")
	p := &data.POI{ID: x.uid("id", len(c.ds.POIs)), Name: x.get("name"), Category: x.get("category"), Address: x.get("address")}
	if s := x.get("aliases"); s != "" {
		p.Aliases = strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == '、' })
	}
	p.Point = x.point()
	c.ds.POIs = append(c.ds.POIs, p)
}

func (c *converter) addBuilding(x *featureCtx) {
	x.id = x.get("id")
	b := &data.Building{ID: x.uid("id", len(c.ds.Buildings)), Compound: x.get("compound"), Name: x.get("name"), Address: x.get("address")}
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
	if lon, ok := x.number("point_lon"); ok {
		lat, _ := x.number("point_lat")
		b.Point = orb.Point{lon, lat}
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
