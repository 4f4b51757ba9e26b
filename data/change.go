package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"
)

// Op is what a change did to one feature.
type Op string

// The operations of a Change.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// FieldChange is one field's value before and after a change, as the layer's field schema
// writes it ("" when absent); the geometry is written as WKT under the key "geometry".
type FieldChange struct {
	Key string `json:"key"`
	Old string `json:"old"`
	New string `json:"new"`
}

// Change is one recorded change of one feature: an online edit, a row of an upsert import, a
// case outcome. Changes are the history of a feature and, for a version made of changes, its
// content: such a version is its parent plus its changes (Delta), not a copy.
type Change struct {
	Seq    int64         `json:"seq"`  // position in the store's change log, set by Record / SaveDelta
	Base   int64         `json:"base"` // the dataset version the change applies to
	Layer  Layer         `json:"layer"`
	ID     string        `json:"id"` // the feature's id (a grid's code)
	Op     Op            `json:"op"`
	Who    string        `json:"who"`
	At     time.Time     `json:"at"`
	Why    string        `json:"why,omitempty"`  // free text: the reason given, the import's files
	Case   string        `json:"case,omitempty"` // the event (case) id that caused it, if any
	Fields []FieldChange `json:"fields"`
	// After is the feature as it is after the change, alone in its layer of a Dataset; nil for a
	// delete. MarshalFeature and UnmarshalFeature are its stored form.
	After *Dataset `json:"-"`
}

// Delta describes a version made of changes: the parent version, plus the parent's changes
// recorded up to sequence number Upto, plus Changes (recorded by SaveDelta itself). Counts are
// the new version's features per layer, as Versions lists them.
type Delta struct {
	Parent  int64
	Upto    int64 // 0: every change of the parent recorded so far, and Changes
	Changes []Change
	Name    string
	Source  string
	Counts  map[Layer]int
}

// ErrStaleBase is returned when a change names a base version that is not the active one.
var ErrStaleBase = errors.New("change is not against the active version")

// ChangeStore is a Store that also keeps changes: the history of every feature, versions made of
// changes (a version that changes 10 components costs kilobytes, not a copy of every row), and
// a log of changes in commit order for a change feed. Load of a delta version returns its parent
// with the changes applied (Apply). Both backends implement it and pass storetest.RunChanges.
type ChangeStore interface {
	Store
	// Record stores changes durably in one transaction and sets each one's Seq and (when zero)
	// At; every change's Base must be an existing version. An acknowledged change survives a
	// kill -9.
	Record(ctx context.Context, changes []Change) error
	// SaveDelta records d.Changes against d.Parent and, in the same transaction, makes and
	// activates a new version that is d.Parent plus its changes up to d.Upto (0: all). Changes
	// of d.Parent recorded after d.Upto (edits made while a fold was built) move to the new
	// version, so none is lost and none is applied twice. d.Parent must be the active version
	// (ErrStaleBase otherwise): a delta of a version another process has replaced, by a fold
	// of its own or an import, would serve that version's changes twice or lose them.
	SaveDelta(ctx context.Context, d Delta) (int64, error)
	// Pending returns the changes recorded against version base that no delta version of it
	// holds yet, in Seq order: what an edit overlay serves over base; and the log's end as read
	// with them (the highest Seq recorded, 0 for none), where a reader of the log that serves
	// base takes up: a change of base at or before it is either pending or held by a delta
	// (a version rolled back from), never one to serve.
	Pending(ctx context.Context, base int64) (pending []Change, logEnd int64, err error)
	// History returns every change of one feature, oldest first.
	History(ctx context.Context, l Layer, id string) ([]Change, error)
	// ChangesAfter returns up to limit changes with Seq > after, in Seq order.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error)
	// LoadFeatures reads the features of layer l with the given ids in version v (those it
	// has), without reading the layer's others: what an upsert compares its rows with.
	LoadFeatures(ctx context.Context, v int64, l Layer, ids []string) (*Dataset, error)
	// VersionSeq returns the last Seq a version includes: the log's end when a full version was
	// saved, the Upto of a delta. Changes after it are what the version lacks.
	VersionSeq(ctx context.Context, v int64) (int64, error)
	// DeltaParent returns the version that delta version v was made from (SaveDelta), 0 when
	// v is a full version: a replica serving the parent with v's changes builds v itself
	// rather than load it.
	DeltaParent(ctx context.Context, v int64) (int64, error)
}

// FeatureID returns the id of the single feature of layer l in ds, as a Change names it.
func FeatureID(l Layer, ds *Dataset) (string, bool) {
	if ds == nil || ds.Count(l) != 1 {
		return "", false
	}
	switch l {
	case LayerArea:
		return ds.Areas[0].Code, true
	case LayerGrid:
		return ds.Grids[0].Code, true
	case LayerComponent:
		return ds.Components[0].ID, true
	case LayerDepartment:
		return ds.Departments[0].Code, true
	case LayerRoad:
		return strconv.FormatUint(ds.Roads[0].ID, 10), true
	case LayerAddress:
		return strconv.FormatUint(ds.Addresses[0].ID, 10), true
	case LayerBuilding:
		return strconv.FormatUint(ds.Buildings[0].ID, 10), true
	case LayerPOI:
		return strconv.FormatUint(ds.POIs[0].ID, 10), true
	}
	return "", false
}

// componentJSON is a Component with its geometry as GeoJSON: orb.Geometry is an interface
// that encoding/json cannot read back. The outer Geometry hides the embedded one.
type componentJSON struct {
	*Component
	Geometry json.RawMessage `json:"Geometry,omitempty"`
}

// featureJSON is the stored form of a Change's feature: one layer's single feature.
type featureJSON struct {
	Area       *Area          `json:",omitempty"`
	Grid       *Grid          `json:",omitempty"`
	Component  *componentJSON `json:",omitempty"`
	Department *Department    `json:",omitempty"`
	Road       *Road          `json:",omitempty"`
	Address    *Address       `json:",omitempty"`
	Building   *Building      `json:",omitempty"`
	POI        *POI           `json:",omitempty"`
}

// Stored prepares c for a ChangeStore's Record: its time set (now when zero) to the UTC
// microsecond every backend keeps, and its field changes and feature in their stored forms.
func (c *Change) Stored() (fields, feature []byte, err error) {
	if c.At.IsZero() {
		c.At = time.Now()
	}
	c.At = c.At.UTC().Truncate(time.Microsecond)
	if fields, err = json.Marshal(c.Fields); err != nil {
		return nil, nil, fmt.Errorf("record change of %s %s: %w", c.Layer, c.ID, err)
	}
	if feature, err = MarshalFeature(c.After); err != nil {
		return nil, nil, fmt.Errorf("record change of %s %s: %w", c.Layer, c.ID, err)
	}
	return fields, feature, nil
}

// MarshalFeature encodes the single feature of ds (a Change's After) as JSON; nil ds is "null".
func MarshalFeature(ds *Dataset) ([]byte, error) {
	if ds == nil {
		return []byte("null"), nil
	}
	var f featureJSON
	n := 0
	for _, l := range Layers {
		n += ds.Count(l)
	}
	if n != 1 {
		return nil, fmt.Errorf("a change carries one feature, not %d", n)
	}
	switch {
	case len(ds.Areas) == 1:
		f.Area = ds.Areas[0]
	case len(ds.Grids) == 1:
		f.Grid = ds.Grids[0]
	case len(ds.Components) == 1:
		c := ds.Components[0]
		f.Component = &componentJSON{Component: c}
		if c.Geometry != nil {
			g, err := geojson.NewGeometry(c.Geometry).MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("component %s geometry: %w", c.ID, err)
			}
			f.Component.Geometry = g
		}
	case len(ds.Departments) == 1:
		f.Department = ds.Departments[0]
	case len(ds.Roads) == 1:
		f.Road = ds.Roads[0]
	case len(ds.Addresses) == 1:
		f.Address = ds.Addresses[0]
	case len(ds.Buildings) == 1:
		f.Building = ds.Buildings[0]
	case len(ds.POIs) == 1:
		f.POI = ds.POIs[0]
	}
	return json.Marshal(f)
}

// UnmarshalFeature decodes what MarshalFeature wrote; "null" (or empty) is nil.
func UnmarshalFeature(b []byte) (*Dataset, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var f featureJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("change feature: %w", err)
	}
	ds := &Dataset{}
	switch {
	case f.Area != nil:
		ds.Areas = []*Area{f.Area}
	case f.Grid != nil:
		ds.Grids = []*Grid{f.Grid}
	case f.Component != nil && f.Component.Component != nil:
		c := f.Component.Component
		c.Geometry = nil
		if len(f.Component.Geometry) > 0 {
			g, err := geojson.UnmarshalGeometry(f.Component.Geometry)
			if err != nil {
				return nil, fmt.Errorf("change feature: component %s geometry: %w", c.ID, err)
			}
			c.Geometry = g.Coordinates
		}
		ds.Components = []*Component{c}
	case f.Department != nil:
		ds.Departments = []*Department{f.Department}
	case f.Road != nil:
		ds.Roads = []*Road{f.Road}
	case f.Address != nil:
		ds.Addresses = []*Address{f.Address}
	case f.Building != nil:
		ds.Buildings = []*Building{f.Building}
	case f.POI != nil:
		ds.POIs = []*POI{f.POI}
	default:
		return nil, errors.New("change feature: no feature")
	}
	return ds, nil
}

// Clear empties layer l of ds.
func (ds *Dataset) Clear(l Layer) {
	switch l {
	case LayerArea:
		ds.Areas = nil
	case LayerGrid:
		ds.Grids = nil
	case LayerComponent:
		ds.Components = nil
	case LayerDepartment:
		ds.Departments = nil
	case LayerRoad:
		ds.Roads = nil
	case LayerAddress:
		ds.Addresses = nil
	case LayerBuilding:
		ds.Buildings = nil
	case LayerPOI:
		ds.POIs = nil
	}
}
