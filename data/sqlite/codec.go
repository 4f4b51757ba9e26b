package sqlite

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	json "github.com/goccy/go-json" // several times faster than encoding/json on a million rows

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// row is one feature row.
type row struct {
	layer data.Layer
	seq   int
	fid   string
	geom  []byte
	props []byte
}

type areaProps struct {
	Name    string         `json:"name"`
	Level   data.AreaLevel `json:"level"`
	Parent  string         `json:"parent,omitempty"`
	Label   *orb.Point     `json:"label,omitempty"`
	Derived bool           `json:"derived,omitempty"`
}

type gridProps struct {
	Community string  `json:"community"`
	AreaM2    float64 `json:"area_m2"`
	Derived   bool    `json:"derived,omitempty"`
}

type componentProps struct {
	Scheme     data.Scheme       `json:"scheme"`
	Major      string            `json:"major"`
	Minor      string            `json:"minor"`
	Name       string            `json:"name,omitempty"`
	Owner      data.DeptRef      `json:"owner,omitzero"`
	Property   data.DeptRef      `json:"property,omitzero"`
	Maintainer data.DeptRef      `json:"maintainer,omitzero"`
	Grid       string            `json:"grid,omitempty"`
	Status     data.Status       `json:"status,omitempty"`
	InitDate   *time.Time        `json:"init_date,omitempty"`
	ChangeDate *time.Time        `json:"change_date,omitempty"`
	Source     string            `json:"source,omitempty"`
	Note       string            `json:"note,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
}

type deptProps struct {
	Name string `json:"name"`
}

type roadProps struct {
	Name  string         `json:"name"`
	Class data.RoadClass `json:"class,omitempty"`
}

type addressProps struct {
	Road      string `json:"road"`
	Section   string `json:"section,omitempty"`
	Lane      string `json:"lane,omitempty"`
	Alley     string `json:"alley,omitempty"`
	Number    int    `json:"number"`
	Suffix    string `json:"suffix,omitempty"`
	Full      string `json:"full"`
	Community string `json:"community,omitempty"`
	Source    string `json:"source,omitempty"`
}

type buildingProps struct {
	Compound  string       `json:"compound"`
	Name      string       `json:"name"`
	Address   string       `json:"address,omitempty"`
	Point     orb.Point    `json:"point"`
	Footprint *orb.Polygon `json:"-"` // in geom
}

type poiProps struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Category string   `json:"category,omitempty"`
	Address  string   `json:"address,omitempty"`
}

// encodeGeom returns WKB, or nil for a missing or empty geometry.
func encodeGeom(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, nil
		}
	case orb.Polygon:
		if len(g) == 0 {
			return nil, nil
		}
	case orb.LineString:
		if len(g) == 0 {
			return nil, nil
		}
	case orb.Point:
		return pointWKB(g), nil
	}
	return wkb.Marshal(g)
}

// pointWKB is wkb.Marshal of a point (little-endian, as orb writes it), written here because
// wkb.Marshal spends a buffer, an encoder and the result on each of a city's two million
// component points.
func pointWKB(p orb.Point) []byte {
	b := make([]byte, 21)
	b[0] = 1 // little-endian
	binary.LittleEndian.PutUint32(b[1:], 1)
	binary.LittleEndian.PutUint64(b[5:], math.Float64bits(p[0]))
	binary.LittleEndian.PutUint64(b[13:], math.Float64bits(p[1]))
	return b
}

func layerCounts(ds *data.Dataset) map[data.Layer]int {
	counts := make(map[data.Layer]int, len(data.Layers))
	for _, l := range data.Layers {
		counts[l] = ds.Count(l)
	}
	return counts
}

// encodeDataset calls emit with one row per feature, layer by layer in the order of
// data.Layers, which is the order of the row key's layer bits: rows then arrive in primary-key
// order and SQLite appends each to the B-tree's last page (balance_quick) instead of splitting
// pages in the middle of it. from, when not nil, gives per layer the seq of ds's first feature
// of that layer (a version written in parts: ds holds the features after those).
// comp encodes the components' attributes; it keeps what repeats between calls. image, when not
// nil, is offered each feature with its geometry first: a feature it takes (its image holds it)
// gets no row.
func encodeDataset(ds *data.Dataset, from map[data.Layer]int, comp *componentEncoder,
	image func(l data.Layer, seq int, fid string, geom []byte) (bool, error), emit func(row) error) error {
	put := func(layer data.Layer, i int, fid string, g orb.Geometry, props any) error {
		seq := from[layer] + i
		gb, err := encodeGeom(g)
		if err != nil {
			return fmt.Errorf("%s #%d (%s): geometry: %w", layer, seq, fid, err)
		}
		if image != nil {
			if took, err := image(layer, seq, fid, gb); err != nil || took {
				return err
			}
		}
		var pb []byte
		if c, ok := props.(*data.Component); ok {
			pb, err = comp.encode(c)
		} else {
			pb, err = json.Marshal(props)
		}
		if err != nil {
			return fmt.Errorf("%s #%d (%s): %w", layer, seq, fid, err)
		}
		return emit(row{layer: layer, seq: seq, fid: fid, geom: gb, props: pb})
	}
	for _, l := range data.Layers {
		if err := encodeLayer(ds, l, put); err != nil {
			return err
		}
	}
	return nil
}

// encodeLayer calls put with each feature of layer l of ds, its index in the layer, fid,
// geometry and attributes: a value json.Marshal writes, or for a component the component
// itself (componentEncoder).
func encodeLayer(ds *data.Dataset, l data.Layer, put func(layer data.Layer, i int, fid string, g orb.Geometry, props any) error) error {
	switch l {
	case data.LayerAddress:
		for i, a := range ds.Addresses {
			p := addressProps{Road: a.Road, Section: a.Section, Lane: a.Lane, Alley: a.Alley, Number: a.Number,
				Suffix: a.Suffix, Full: a.Full, Community: a.Community, Source: a.Source}
			if err := put(l, i, strconv.FormatUint(a.ID, 10), a.Point, p); err != nil {
				return err
			}
		}
	case data.LayerArea:
		for i, a := range ds.Areas {
			p := areaProps{Name: a.Name, Level: a.Level, Parent: a.Parent, Derived: a.Derived}
			if a.Label != (orb.Point{}) {
				lbl := a.Label
				p.Label = &lbl
			}
			if err := put(l, i, a.Code, a.Polygon, p); err != nil {
				return err
			}
		}
	case data.LayerBuilding:
		for i, b := range ds.Buildings {
			p := buildingProps{Compound: b.Compound, Name: b.Name, Address: b.Address, Point: b.Point}
			if err := put(l, i, strconv.FormatUint(b.ID, 10), b.Footprint, p); err != nil {
				return err
			}
		}
	case data.LayerComponent:
		for i, c := range ds.Components {
			if err := put(l, i, c.ID, c.Geometry, c); err != nil {
				return err
			}
		}
	case data.LayerDepartment:
		for i, d := range ds.Departments {
			if err := put(l, i, d.Code, nil, deptProps{Name: d.Name}); err != nil {
				return err
			}
		}
	case data.LayerGrid:
		for i, g := range ds.Grids {
			if err := put(l, i, g.Code, g.Polygon, gridProps{Community: g.Community, AreaM2: g.AreaM2, Derived: g.Derived}); err != nil {
				return err
			}
		}
	case data.LayerPOI:
		for i, p := range ds.POIs {
			pp := poiProps{Name: p.Name, Aliases: p.Aliases, Category: p.Category, Address: p.Address}
			if err := put(l, i, strconv.FormatUint(p.ID, 10), p.Point, pp); err != nil {
				return err
			}
		}
	case data.LayerRoad:
		for i, r := range ds.Roads {
			if err := put(l, i, strconv.FormatUint(r.ID, 10), r.Line, roadProps{Name: r.Name, Class: r.Class}); err != nil {
				return err
			}
		}
	}
	return nil
}

func decodeGeom(b []byte) (orb.Geometry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if p, ok := data.WKBPoint(b); ok {
		return p, nil
	}
	return wkb.Unmarshal(b)
}

// decoder appends decoded rows to a dataset, allocating the most numerous features in arenas
// the collector does not scan (data.Arena).
type decoder struct {
	ds        *data.Dataset
	addresses data.Arena[data.Address]
	grids     data.Arena[data.Grid]
	buildings data.Arena[data.Building]
	comp      componentDecoder
}

// decodeRow appends the feature in r to its layer of the dataset. Rows arrive in seq order per
// layer. r's fid, geometry and attributes may be reused once it returns: what is kept is copied.
func (d *decoder) decodeRow(r row) error {
	ds := d.ds
	var g orb.Geometry
	var err error
	if r.layer == data.LayerComponent {
		g, err = d.comp.geometry(r.geom)
	} else {
		g, err = decodeGeom(r.geom)
	}
	if err != nil {
		return fmt.Errorf("geometry: %w", err)
	}
	switch r.layer {
	case data.LayerArea:
		p, err := props[areaProps](r)
		if err != nil {
			return err
		}
		a := &data.Area{Code: strings.Clone(r.fid), Name: data.Intern(p.Name), Level: p.Level, Parent: data.Intern(p.Parent), Derived: p.Derived}
		if p.Label != nil {
			a.Label = *p.Label
		}
		if g != nil {
			mp, ok := asMultiPolygon(g)
			if !ok {
				return fmt.Errorf("geometry is %s, want MultiPolygon", g.GeoJSONType())
			}
			a.Polygon = mp
		}
		ds.Areas = append(ds.Areas, a)
	case data.LayerGrid:
		p, err := props[gridProps](r)
		if err != nil {
			return err
		}
		poly, err := geomAs[orb.Polygon](g)
		if err != nil {
			return err
		}
		gr := data.NewGrid(&d.grids, &data.Grid{Code: r.fid, Community: p.Community, AreaM2: p.AreaM2, Derived: p.Derived, Polygon: poly})
		ds.Grids = append(ds.Grids, gr)
	case data.LayerComponent:
		c := d.comp.arena.New()
		// SAFETY: the fid's bytes are only read, and copied before the decoder keeps them.
		fid := unsafe.Slice(unsafe.StringData(r.fid), len(r.fid))
		if err := d.comp.decode(c, fid, r.props, g); err != nil {
			return err
		}
		ds.Components = append(ds.Components, c)
	case data.LayerDepartment:
		p, err := props[deptProps](r)
		if err != nil {
			return err
		}
		ds.Departments = append(ds.Departments, &data.Department{Code: strings.Clone(r.fid), Name: data.Intern(p.Name)})
	case data.LayerRoad:
		p, n, err := propsAndID[roadProps](r)
		if err != nil {
			return err
		}
		line, err := geomAs[orb.LineString](g)
		if err != nil {
			return err
		}
		ds.Roads = append(ds.Roads, &data.Road{ID: n, Name: data.Intern(p.Name), Class: data.RoadClass(data.Intern(string(p.Class))), Line: line})
	case data.LayerAddress:
		p, n, err := propsAndID[addressProps](r)
		if err != nil {
			return err
		}
		pt, _ := g.(orb.Point)
		a := data.NewAddress(&d.addresses, &data.Address{ID: n, Road: p.Road, Section: p.Section, Lane: p.Lane, Alley: p.Alley,
			Number: p.Number, Suffix: p.Suffix, Full: p.Full, Point: pt, Community: p.Community, Source: p.Source})
		ds.Addresses = append(ds.Addresses, a)
	case data.LayerBuilding:
		p, n, err := propsAndID[buildingProps](r)
		if err != nil {
			return err
		}
		fp, _ := g.(orb.Polygon)
		b := data.NewBuilding(&d.buildings, &data.Building{ID: n, Compound: p.Compound, Name: p.Name, Address: p.Address, Point: p.Point, Footprint: fp})
		ds.Buildings = append(ds.Buildings, b)
	case data.LayerPOI:
		p, n, err := propsAndID[poiProps](r)
		if err != nil {
			return err
		}
		pt, _ := g.(orb.Point)
		aliases := make([]string, len(p.Aliases))
		for i, a := range p.Aliases {
			aliases[i] = strings.Clone(a)
		}
		if p.Aliases == nil {
			aliases = nil
		}
		ds.POIs = append(ds.POIs, &data.POI{ID: n, Name: strings.Clone(p.Name), Aliases: aliases, Category: data.Intern(p.Category),
			Address: strings.Clone(p.Address), Point: pt})
	default:
		// A layer written by a newer citygeo: skipped, so an older binary can still serve.
	}
	return nil
}

// props decodes a row's JSON attributes.
func props[T any](r row) (T, error) {
	var p T
	err := json.Unmarshal(r.props, &p)
	return p, err
}

// propsAndID decodes a row's attributes and its fid as the numeric id that roads, addresses,
// buildings and POIs carry.
func propsAndID[T any](r row) (T, uint64, error) {
	p, err := props[T](r)
	if err != nil {
		return p, 0, err
	}
	n, err := strconv.ParseUint(r.fid, 10, 64)
	return p, n, err
}

// geomAs returns g as a T; no geometry gives the zero T, another type an error.
func geomAs[T orb.Geometry](g orb.Geometry) (T, error) {
	var zero T
	if g == nil {
		return zero, nil
	}
	t, ok := g.(T)
	if !ok {
		return zero, fmt.Errorf("geometry is %s, want %s", g.GeoJSONType(), zero.GeoJSONType())
	}
	return t, nil
}

func asMultiPolygon(g orb.Geometry) (orb.MultiPolygon, bool) {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, true
	case orb.Polygon:
		return orb.MultiPolygon{g}, true
	}
	return nil, false
}

// The feature rowid packs (version, layer, seq) so that rows of a version are appended in rowid
// order: SQLite then splits the table's last page the cheap way (balance_quick) instead of
// rebalancing neighbour pages as it does for a WITHOUT ROWID key, and a layer loads as one
// rowid range scan with no separate index. Bits: version 27, layer 4, seq 32.
const (
	seqBits    = 32
	layerBits  = 4
	maxSeq     = 1<<seqBits - 1
	maxVersion = 1<<(63-seqBits-layerBits) - 1
)

// rowKey returns the rowid of feature seq of layer l in version v.
func rowKey(v int64, l data.Layer, seq int) (int64, error) {
	li := -1
	for i, x := range data.Layers {
		if x == l {
			li = i
		}
	}
	switch {
	case li < 0 || li >= 1<<layerBits:
		return 0, fmt.Errorf("layer %q has no row key", l)
	case seq < 0 || seq > maxSeq:
		return 0, fmt.Errorf("seq %d out of the row key's range 0..%d", seq, maxSeq)
	case v < 0 || v > maxVersion:
		return 0, fmt.Errorf("version %d out of the row key's range 0..%d", v, maxVersion)
	}
	return v<<(seqBits+layerBits) | int64(li)<<seqBits | int64(seq), nil
}
