package ogc

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/geo"
)

// EventSource is the live events feed the events collection reads (dispatch.Feed is one).
type EventSource interface {
	OpenIn(b orb.Bound, iter func(e data.Event) bool)
}

// Options adds what is not in a snapshot. The zero value serves the snapshot's layers only.
type Options struct {
	Events EventSource      // nil: no events collection
	Now    func() time.Time // when an event is overdue; nil: time.Now
}

// Extent is where and when a collection's features are: a CGCS2000 lon/lat box and a time
// span [Start, End), each absent when no feature has one.
type Extent struct {
	Bound    orb.Bound
	HasBound bool
	Start    time.Time
	End      time.Time
	HasTime  bool
}

// Collection describes one collection: what the collections resource lists.
type Collection struct {
	ID          string
	Title       string
	Description string
	Count       int // features in the whole collection
	Extent      Extent
	// TimeProperty is the property datetime filters on; "": none, and a datetime filter
	// matches no feature (the standard's rule for features without a temporal property).
	TimeProperty string
	Fields       []Field
	CRS          []CRS // offered for crs and bbox-crs; CRS84 first
}

// Queryables returns the fields an items request may filter on by equality.
func (c *Collection) Queryables() []Field {
	var out []Field
	for _, f := range c.Fields {
		if f.Queryable {
			out = append(out, f)
		}
	}
	return out
}

// offers returns the offered CRS with this URI.
func (c *Collection) offers(crs CRS) bool {
	for _, o := range c.CRS {
		if o.URI == crs.URI {
			return true
		}
	}
	return false
}

// Catalog is the collections of one snapshot. It is built once per dataset version and read
// by any number of requests; the events collection is read from the feed at each request.
type Catalog struct {
	version int64
	title   string
	entries []*entry
	byID    map[string]*entry
	crs     []CRS
	opts    Options
	edits   Edits // the edits of this moment (WithEdits)
}

type entry struct {
	meta  Collection
	layer layer // nil for events: built per request
	// edited is set on the collections edits reach before a new version (components, grids, roads):
	// the layer with the catalog's edits applied, nil when it has none for this collection.
	edited func(c *Catalog) editedLayer
}

// editedLayer is a layer under edits, whose extent grows the base's.
type editedLayer interface {
	layer
	grow(Extent) Extent
}

// EventsID is the id of the open-events collection.
const EventsID = "events"

// NewCatalog builds the collections of a dataset and its index: grids, districts, streets,
// communities, components and one collection per major class present, roads, addresses, POIs,
// and open events when opts names a feed. Extents and counts are computed here, once.
func NewCatalog(ds *data.Dataset, ix *geo.Index, opts Options) *Catalog {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Catalog{version: ds.Version, title: ds.Name, byID: map[string]*entry{}, crs: Offered(ix.Bound()), opts: opts}
	add := func(id, title, desc string, l layer) {
		c.add(Collection{ID: id, Title: title, Description: desc}, l)
	}
	grids := gridTable(ix)
	add("grids", "单元网格 Unit grids", "the ~10,000 m² cells every case is located in; id = 15-digit grid code", grids)
	c.byID["grids"].edited = editsOf(func(e Edits) map[string]*data.Grid { return e.Grids },
		func(m map[string]*data.Grid) editedLayer { return editedGrids(grids, m) })
	for _, lv := range []struct {
		level     data.AreaLevel
		id, title string
	}{{data.District, "districts", "区县 Districts"}, {data.Street, "streets", "街道 Streets"}, {data.Community, "communities", "社区 Communities"}} {
		add(lv.id, lv.title, lv.level.String()+" boundaries; id = area code", areaTable(ix, lv.level))
	}
	addComponents := func(id, title, desc, major string) {
		comps := componentTable(ds, ix, major)
		add(id, title, desc, comps)
		c.byID[id].edited = editsOf(func(e Edits) map[string]*data.Component { return e.Components },
			func(m map[string]*data.Component) editedLayer { return editedComponents(comps, major, m) })
	}
	addComponents("components", "城市部件 Components (all classes)", "surveyed city components of every class; id = component identifier", "")
	for _, m := range majors(ds) {
		addComponents("components-"+m.code, "部件 "+m.code+" "+m.name, "components of major class "+m.code+" ("+m.name+")", m.code)
	}
	roads := roadTable(ds)
	add("roads", "道路 Roads", "named road centrelines; id = road id", roads)
	c.byID["roads"].edited = editsOf(func(e Edits) map[string]*data.Road { return e.Roads },
		func(m map[string]*data.Road) editedLayer { return editedRoads(roads, m) })
	add("addresses", "门牌 Addresses", "house numbers (门楼牌) with their points; id = address id", addressTable(ds))
	add("pois", "兴趣点 Points of interest", "named buildings, units, facilities and shops; id = POI id", poiTable(ds))
	if opts.Events != nil {
		c.add(Collection{ID: EventsID, Title: "案卷 Open events", Description: "open cases from the dispatch feed, as of the request; id = case number"}, nil)
	}
	return c
}

// add registers a collection. A nil layer is the events collection: its fields are known
// now, its rows, count and extent only at each request.
func (c *Catalog) add(meta Collection, l layer) {
	e := &entry{layer: l}
	if l == nil {
		l = eventTable(nil, time.Time{})
	} else {
		meta.Count, meta.Extent = l.size(), l.extent()
	}
	meta.Fields, meta.CRS = l.fields(), c.crs
	for _, f := range meta.Fields {
		if f.Format != "" {
			meta.TimeProperty = f.Name
		}
	}
	e.meta = meta
	c.entries = append(c.entries, e)
	c.byID[meta.ID] = e
}

type major struct{ code, name string }

// majors lists the major classes present, named from the catalog of each scheme in use (both
// names when the schemes disagree).
func majors(ds *data.Dataset) []major {
	names := map[string][]string{}
	for _, cp := range ds.Components {
		n := data.CatalogFor(cp.Scheme).MajorName(cp.Major)
		if !containsString(names[cp.Major], n) {
			names[cp.Major] = append(names[cp.Major], n)
		}
	}
	out := make([]major, 0, len(names))
	for code, n := range names {
		out = append(out, major{code, strings.Join(n, " / ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Version returns the dataset version the catalog describes.
func (c *Catalog) Version() int64 { return c.version }

// Title returns the dataset's name.
func (c *Catalog) Title() string { return c.title }

// CRS returns the CRSs offered by every collection.
func (c *Catalog) CRS() []CRS { return c.crs }

// Collections returns every collection's description, in a fixed order.
func (c *Catalog) Collections() []Collection {
	out := make([]Collection, 0, len(c.entries))
	for _, e := range c.entries {
		meta, _ := c.resolve(e)
		out = append(out, meta)
	}
	return out
}

// Collection returns one collection's description, or ErrNoCollection.
func (c *Catalog) Collection(id string) (Collection, error) {
	e, ok := c.byID[id]
	if !ok {
		return Collection{}, fmt.Errorf("collection %q: %w", id, ErrNoCollection)
	}
	meta, _ := c.resolve(e)
	return meta, nil
}

// resolve returns an entry's description and layer; the events entry is read from the feed
// now, so its count and extent are those of this moment.
func (c *Catalog) resolve(e *entry) (Collection, layer) {
	if e.edited != nil {
		if l := e.edited(c); l != nil {
			meta := e.meta
			meta.Count, meta.Extent = l.size(), l.grow(meta.Extent)
			return meta, l
		}
	}
	if e.layer != nil {
		return e.meta, e.layer
	}
	var evs []data.Event
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	c.opts.Events.OpenIn(world, func(ev data.Event) bool {
		evs = append(evs, ev)
		return true
	})
	t := eventTable(evs, c.opts.Now())
	meta := e.meta
	meta.Count, meta.Extent = t.size(), t.extent()
	return meta, t
}

// Query is an items request, parsed against its collection.
type Query struct {
	// Boxes is the bbox in BBoxCRS's x/y plane (longitude or easting first); two boxes when a
	// longitude range crosses the antimeridian; none without a bbox.
	Boxes    []orb.Bound
	BBoxCRS  CRS
	Datetime *Interval
	Props    map[string]string // queryable → value, equality
	Limit    int
	Offset   int
	CRS      CRS // of the answer
}

// The parameters every items request takes besides the collection's queryables; f is the
// HTTP layer's (json or html).
var itemParams = []string{"bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "f"}

// ParseQuery reads an items request's parameters for a collection. An unknown parameter is an
// error (the standard's rule, which also catches a misspelt property filter), as is a
// parameter given twice with different values, and a crs or bbox-crs the collection does not
// offer. Errors are *ParamError.
func ParseQuery(col Collection, v url.Values) (Query, error) {
	q := Query{CRS: CRS84, BBoxCRS: CRS84, Props: map[string]string{}}
	queryable := map[string]bool{}
	for _, f := range col.Queryables() {
		queryable[f.Name] = true
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !queryable[k] && !containsString(itemParams, k) {
			return Query{}, paramErr(k, "unknown parameter: %s takes %s and the queryables %s",
				col.ID, strings.Join(itemParams, ", "), strings.Join(names(col.Queryables()), ", "))
		}
		for _, other := range v[k][1:] {
			if other != v[k][0] {
				return Query{}, paramErr(k, "given twice with different values")
			}
		}
		if queryable[k] {
			q.Props[k] = v.Get(k)
		}
	}
	var err error
	if q.Limit, err = parseLimit(v.Get("limit")); err != nil {
		return Query{}, err
	}
	if q.Offset, err = parseOffset(v.Get("offset")); err != nil {
		return Query{}, err
	}
	if q.CRS, err = offeredCRS(col, "crs", v.Get("crs")); err != nil {
		return Query{}, err
	}
	if q.BBoxCRS, err = offeredCRS(col, "bbox-crs", v.Get("bbox-crs")); err != nil {
		return Query{}, err
	}
	if s := v.Get("bbox"); s != "" {
		if q.Boxes, err = planeBoxes(s, q.BBoxCRS); err != nil {
			return Query{}, err
		}
	}
	if s := v.Get("datetime"); s != "" {
		iv, err := ParseDatetime(s)
		if err != nil {
			return Query{}, err
		}
		q.Datetime = &iv
	}
	return q, nil
}

func names(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// offeredCRS parses a crs or bbox-crs value ("" is CRS84) and checks the collection offers it.
func offeredCRS(col Collection, param, s string) (CRS, error) {
	if s == "" {
		return CRS84, nil
	}
	c, err := ParseCRS(s)
	if err != nil {
		return CRS{}, paramErr(param, "%v", err)
	}
	if !col.offers(c) {
		return CRS{}, paramErr(param, "%s is not offered for %s (see the collection's crs list)", c.URI, col.ID)
	}
	return c, nil
}

// planeBoxes reads a bbox in crs's axis order into boxes in its x/y plane. Latitudes and
// longitudes must be in range; a longitude range may cross the antimeridian (two boxes), a
// projected one may not run backwards.
func planeBoxes(s string, crs CRS) ([]orb.Bound, error) {
	v, err := ParseBBox(s)
	if err != nil {
		return nil, err
	}
	x0, y0, x1, y1 := v[0], v[1], v[2], v[3]
	if crs.Swap {
		x0, y0, x1, y1 = v[1], v[0], v[3], v[2]
	}
	if y0 > y1 {
		return nil, paramErr("bbox", "%s: the lower corner is above the upper one", s)
	}
	if crs.LonLat() {
		for _, lon := range []float64{x0, x1} {
			if lon < -180 || lon > 180 {
				return nil, paramErr("bbox", "%s: longitude %v is outside [-180, 180] (%s axis order)", s, lon, axisOrder(crs))
			}
		}
		for _, lat := range []float64{y0, y1} {
			if lat < -90 || lat > 90 {
				return nil, paramErr("bbox", "%s: latitude %v is outside [-90, 90] (%s axis order)", s, lat, axisOrder(crs))
			}
		}
		if x0 > x1 {
			return []orb.Bound{{Min: orb.Point{x0, y0}, Max: orb.Point{180, y1}}, {Min: orb.Point{-180, y0}, Max: orb.Point{x1, y1}}}, nil
		}
	} else if x0 > x1 {
		return nil, paramErr("bbox", "%s: the lower corner is east of the upper one", s)
	}
	return []orb.Bound{{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}}, nil
}

func axisOrder(c CRS) string {
	switch {
	case c.LonLat() && c.Swap:
		return "latitude, longitude"
	case c.LonLat():
		return "longitude, latitude"
	case c.Swap:
		return "northing, easting"
	}
	return "easting, northing"
}

// Items is one page of an items answer.
type Items struct {
	Collection    Collection
	Features      []*geojson.Feature
	NumberMatched int
	Offset        int
	Limit         int
	CRS           CRS
	TimeStamp     time.Time
}

// Items runs a query on a collection: ErrNoCollection for an unknown id.
func (c *Catalog) Items(id string, q Query) (*Items, error) {
	e, ok := c.byID[id]
	if !ok {
		return nil, fmt.Errorf("collection %q: %w", id, ErrNoCollection)
	}
	meta, l := c.resolve(e)
	f := &filter{boxes: q.Boxes, crs: q.BBoxCRS, when: q.Datetime}
	for _, b := range q.Boxes {
		f.search = append(f.search, q.BBoxCRS.storageBound(b))
	}
	for name, value := range q.Props {
		for i, fd := range meta.Fields {
			if fd.Name == name {
				f.props = append(f.props, propFilter{col: i, value: value})
			}
		}
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	rows, matched := l.page(f, q.Offset, limit)
	out := &Items{Collection: meta, NumberMatched: matched, Offset: q.Offset, Limit: limit, CRS: q.CRS, TimeStamp: c.opts.Now().UTC()}
	for _, pos := range rows {
		out.Features = append(out.Features, l.feature(pos, q.CRS))
	}
	return out, nil
}

// ParseItemQuery reads the parameters of a single-feature request: crs (checked against the
// collection's list) and f; anything else is an error. Errors are *ParamError.
func ParseItemQuery(col Collection, v url.Values) (CRS, error) {
	for k := range v {
		if k != "crs" && k != "f" {
			return CRS{}, paramErr(k, "unknown parameter: a feature takes crs and f")
		}
	}
	return offeredCRS(col, "crs", v.Get("crs"))
}

// Item returns one feature in crs: ErrNoCollection or ErrNoFeature when there is none.
func (c *Catalog) Item(id, featureID string, crs CRS) (*geojson.Feature, error) {
	e, ok := c.byID[id]
	if !ok {
		return nil, fmt.Errorf("collection %q: %w", id, ErrNoCollection)
	}
	_, l := c.resolve(e)
	pos, ok := l.find(featureID)
	if !ok {
		return nil, fmt.Errorf("collection %q, feature %q: %w", id, featureID, ErrNoFeature)
	}
	return l.feature(pos, crs), nil
}
