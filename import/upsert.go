package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/diff"
	"citygeo/geo"
	"citygeo/schema"
)

// ErrUpsert is returned for files an upsert import cannot take (areas, departments, derived
// grids): they are imported with a replace import.
var ErrUpsert = errors.New("not importable by id")

// DeleteColumn is the marker column of an upsert import: a row whose DELETE value is 1, true,
// yes, y, 是 or delete (any case) deletes the feature with the row's id; its other values are
// not read. A replace import keeps the column as an ordinary attribute.
const DeleteColumn = "DELETE"

func deleteMarked(src *Source, f *Feature) bool {
	marked := false
	f.each(src, func(k string, v any) {
		if !strings.EqualFold(k, DeleteColumn) {
			return
		}
		switch strings.ToLower(strings.TrimSpace(text(v))) {
		case "1", "true", "yes", "y", "是", "delete":
			marked = true
		}
	})
	return marked
}

// Base is the version an upsert import changes: its features by id (nil when none) and what a
// changed feature is validated against. A served snapshot is one (edits included, nothing
// loaded); BaseOf makes one of a loaded dataset.
type Base interface {
	Version() int64
	Feature(l data.Layer, id string) *data.Dataset
	Against() Against
	Count(l data.Layer) int
}

// BaseOf is the Base of dataset ds in memory.
func BaseOf(ds *data.Dataset) Base {
	b := &datasetBase{ds: ds, ids: map[data.Layer]map[string]int{}}
	return b
}

type datasetBase struct {
	ds  *data.Dataset
	ids map[data.Layer]map[string]int
}

func (b *datasetBase) Version() int64         { return b.ds.Version }
func (b *datasetBase) Against() Against       { return AgainstDataset(b.ds) }
func (b *datasetBase) Count(l data.Layer) int { return b.ds.Count(l) }
func (b *datasetBase) Feature(l data.Layer, id string) *data.Dataset {
	m, ok := b.ids[l]
	if !ok {
		m = map[string]int{}
		for i := range b.ds.Count(l) {
			if k, ok := data.FeatureID(l, nth(b.ds, l, i)); ok {
				m[k] = i
			}
		}
		b.ids[l] = m
	}
	i, ok := m[id]
	if !ok {
		return nil
	}
	return nth(b.ds, l, i)
}

// nth returns feature i of layer l of ds alone in its layer.
func nth(ds *data.Dataset, l data.Layer, i int) *data.Dataset {
	switch l {
	case data.LayerGrid:
		return &data.Dataset{Grids: ds.Grids[i : i+1 : i+1]}
	case data.LayerComponent:
		return &data.Dataset{Components: ds.Components[i : i+1 : i+1]}
	case data.LayerRoad:
		return &data.Dataset{Roads: ds.Roads[i : i+1 : i+1]}
	case data.LayerAddress:
		return &data.Dataset{Addresses: ds.Addresses[i : i+1 : i+1]}
	case data.LayerPOI:
		return &data.Dataset{POIs: ds.POIs[i : i+1 : i+1]}
	}
	return nil
}

// upsertIDs lists, per layer, the ids an upsert's rows and deletions name, and the grids its
// components name.
func upsertIDs(c *converter, deletes map[data.Layer][]string) map[data.Layer][]string {
	out := map[data.Layer][]string{}
	for k, l := range UpsertLayers {
		for i := range c.ds.Count(l) {
			if id, ok := data.FeatureID(l, nth(c.ds, l, i)); ok {
				out[l] = append(out[l], id)
			}
		}
		out[l] = append(out[l], c.deletes[k]...)
		out[l] = append(out[l], deletes[l]...)
	}
	for _, cp := range c.ds.Components {
		if cp.Grid != "" {
			out[data.LayerGrid] = append(out[data.LayerGrid], cp.Grid)
		}
	}
	for l, ids := range out {
		if len(ids) == 0 {
			delete(out, l)
		}
	}
	return out
}

// UpsertLayers are the layers an upsert import changes by id.
var UpsertLayers = map[schema.Kind]data.Layer{schema.Grid: data.LayerGrid, schema.Component: data.LayerComponent,
	schema.Road: data.LayerRoad, schema.Address: data.LayerAddress, schema.POI: data.LayerPOI}

// ReadDeleteList reads a --delete-list file: one id per line, or "layer,id" (component, grid,
// road, address, poi); a bare id is a component's. Blank lines and lines starting with # are
// skipped.
func ReadDeleteList(path string) (map[data.Layer][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[data.Layer][]string{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		l, id := data.LayerComponent, line
		if k, rest, ok := strings.Cut(line, ","); ok {
			lk, ok := UpsertLayers[schema.Kind(strings.TrimSpace(k))]
			if !ok {
				return nil, fmt.Errorf("%s line %d: layer %q: want component, grid, road, address or poi", path, n, k)
			}
			l, id = lk, strings.TrimSpace(rest)
		}
		out[l] = append(out[l], id)
	}
	return out, sc.Err()
}

// UpsertChanges reads an upsert import's files against base and returns its changes: one per
// row that creates a feature or changes one (a row equal to the feature it names makes none),
// one per deletion (marked rows, and deletes by layer). The rows are converted as any import's
// and validated with ValidateChanges; a deletion of an id base lacks is an error. The report
// says why when it has errors; nothing is written.
func UpsertChanges(ctx context.Context, base Base, files []string, deletes map[data.Layer][]string, opts Options) ([]data.Change, *Report, error) {
	rep := &Report{Files: files, Counts: map[schema.Kind]int{}, Findings: []Finding{}}
	c := newConverter(opts.Mapping, rep)
	c.deletes = map[schema.Kind][]string{}
	spans := map[schema.Kind][]span{}
	for _, file := range files {
		_, err := convertFrom(ctx, c, spans, opts, file, func(ro ReadOptions, fn func(*Source, *Feature) error) error { return Read(file, ro, fn) })
		if err != nil {
			return nil, rep, err
		}
	}
	for k := range c.kinds {
		if _, ok := UpsertLayers[k]; !ok {
			return nil, rep, fmt.Errorf("%w: an upsert import changes components, grids, roads, addresses and POIs by id, not %s layers (import those with --mode replace)", ErrUpsert, k)
		}
	}
	if len(c.derive) > 0 {
		return nil, rep, fmt.Errorf("%w: an upsert import cannot derive grids", ErrUpsert)
	}
	if sb, ok := base.(*storeBase); ok {
		if err := sb.prefetch(upsertIDs(c, deletes)); err != nil {
			return nil, rep, err
		}
	}
	vr := ValidateChanges(c.ds, base.Against(), opts.Validate)
	for _, f := range vr.Findings {
		if ss := spans[f.Layer]; len(ss) > 0 && f.File == "" {
			f.File = ss[len(ss)-1].path
		}
		rep.add(f)
	}
	var changes []data.Change
	why := "upsert " + strings.Join(files, " ")
	for _, k := range []schema.Kind{schema.Grid, schema.Component, schema.Road, schema.Address, schema.POI} {
		l := UpsertLayers[k]
		for i := range c.ds.Count(l) {
			f := nth(c.ds, l, i)
			id, _ := data.FeatureID(l, f)
			old := base.Feature(l, id)
			fields := diff.Feature(l, old, f)
			if old != nil && len(fields) == 0 {
				continue
			}
			op := data.OpUpdate
			if old == nil {
				op = data.OpCreate
			}
			changes = append(changes, data.Change{Layer: l, ID: id, Op: op, Why: why, Fields: fields, After: f})
		}
		ids := append(c.deletes[k], deletes[l]...)
		for i, id := range ids {
			old := base.Feature(l, id)
			if old == nil {
				rep.add(Finding{Check: "upsert.delete_missing", Severity: SeverityError, Layer: k, Index: i, SourceID: id, Field: schema.Key(k),
					Value: id, Reason: fmt.Sprintf("no %s %s in version %d to delete", k, id, base.Version())})
				continue
			}
			changes = append(changes, data.Change{Layer: l, ID: id, Op: data.OpDelete, Why: why, Fields: diff.Feature(l, old, nil)})
		}
	}
	if err := loadErr(base); err != nil {
		return nil, rep, err
	}
	if !rep.OK() {
		return nil, rep, &ValidationError{Report: rep}
	}
	return changes, rep, nil
}

// Upsert checks an upsert import against base, the store's active version, and saves its
// changes as a new active version made of them (data.ChangeStore.SaveDelta): kilobytes for a
// few rows, whatever the size of the city. On a validation error nothing is written.
func Upsert(ctx context.Context, st data.ChangeStore, base Base, files []string, deletes map[data.Layer][]string, opts Options) (int64, *Report, error) {
	changes, rep, err := UpsertChanges(ctx, base, files, deletes, opts)
	if err != nil {
		return 0, rep, err
	}
	counts := map[data.Layer]int{}
	for _, l := range data.Layers {
		counts[l] = base.Count(l)
	}
	for _, ch := range changes {
		switch ch.Op {
		case data.OpCreate:
			counts[ch.Layer]++
		case data.OpDelete:
			counts[ch.Layer]--
		}
	}
	v, err := st.SaveDelta(ctx, data.Delta{Parent: base.Version(), Changes: changes, Source: "upsert " + strings.Join(files, " "), Counts: counts})
	return v, rep, err
}

// StoreBase is version v of st as an upsert's Base, read as needed: areas and departments at
// once (what changes are validated against); the features an upsert's rows name, and the grids
// its components name, by id when st is a data.ChangeStore (data.ChangeStore.LoadFeatures), so
// an upsert of a few rows never reads two million; a whole layer otherwise, or when an upserted
// grid needs its neighbours.
func StoreBase(ctx context.Context, st data.Store, v int64) (Base, error) {
	ds, err := st.LoadLayers(ctx, v, []data.Layer{data.LayerArea, data.LayerDepartment})
	if err != nil {
		return nil, err
	}
	vs, err := st.Versions(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[data.Layer]int{}
	for _, x := range vs {
		if x.Version == v {
			counts = x.Counts
		}
	}
	return &storeBase{ctx: ctx, st: st, datasetBase: datasetBase{ds: ds, ids: map[data.Layer]map[string]int{}},
		loaded: map[data.Layer]bool{data.LayerArea: true, data.LayerDepartment: true}, counts: counts,
		byID: map[data.Layer]map[string]*data.Dataset{}}, nil
}

type storeBase struct {
	datasetBase
	ctx    context.Context
	st     data.Store
	loaded map[data.Layer]bool
	counts map[data.Layer]int
	// byID holds the features fetched by id, per layer fetched that way: an id not in it is
	// not in the version.
	byID map[data.Layer]map[string]*data.Dataset
	err  error // the first failed load: Feature then answers nil, and UpsertChanges reports it
}

func (b *storeBase) Count(l data.Layer) int { return b.counts[l] }

// prefetch reads the features with ids, per layer, by id.
func (b *storeBase) prefetch(ids map[data.Layer][]string) error {
	cs, ok := b.st.(data.ChangeStore)
	if !ok {
		return nil
	}
	for l, want := range ids {
		if b.loaded[l] {
			continue
		}
		fs, err := cs.LoadFeatures(b.ctx, b.ds.Version, l, want)
		if err != nil {
			return err
		}
		m := b.byID[l]
		if m == nil {
			m = map[string]*data.Dataset{}
			b.byID[l] = m
		}
		for i := range fs.Count(l) {
			f := nth(fs, l, i)
			if id, ok := data.FeatureID(l, f); ok {
				m[id] = f
			}
		}
	}
	return nil
}

func (b *storeBase) Feature(l data.Layer, id string) *data.Dataset {
	if m, ok := b.byID[l]; ok && !b.loaded[l] {
		return m[id]
	}
	b.load(l)
	return b.datasetBase.Feature(l, id)
}

// load reads the whole of layer l once.
func (b *storeBase) load(l data.Layer) {
	if b.loaded[l] || b.err != nil {
		return
	}
	part, err := b.st.LoadLayers(b.ctx, b.ds.Version, []data.Layer{l})
	if err != nil {
		b.err = err
		return
	}
	b.loaded[l] = true
	switch l {
	case data.LayerGrid:
		b.ds.Grids = part.Grids
	case data.LayerComponent:
		b.ds.Components = part.Components
	case data.LayerRoad:
		b.ds.Roads = part.Roads
	case data.LayerAddress:
		b.ds.Addresses = part.Addresses
	case data.LayerPOI:
		b.ds.POIs = part.POIs
	}
}

func (b *storeBase) Against() Against {
	a := Against{Areas: b.ds.Areas, Departments: b.ds.Departments}
	if b.counts[data.LayerGrid] > 0 {
		a.Grid = func(code string) *data.Grid {
			if f := b.Feature(data.LayerGrid, code); f != nil && len(f.Grids) == 1 {
				return f.Grids[0]
			}
			return nil
		}
	}
	a.GridsIn = func(bd orb.Bound) []*data.Grid {
		b.load(data.LayerGrid)
		return AgainstDataset(b.ds).GridsIn(bd)
	}
	return a
}

// loadErr is the error a lazily loading Base met, if any.
func loadErr(b Base) error {
	if sb, ok := b.(*storeBase); ok {
		return sb.err
	}
	return nil
}

// ConvertFeature reads one GeoJSON Feature from r as a row of a source layer named layer (its
// kind: "component", "grid", "address", "poi", "road") and converts it exactly as an import
// converts a file's rows: column names (CJ/T 214, GB/T 47678.5 or the mapping's), CRS, value
// types. It returns the feature alone in its layer and the report of what could not be read; an
// online edit then validates it with ValidateChanges.
func ConvertFeature(ctx context.Context, r io.Reader, layer string, opts Options) (*data.Dataset, *Report, error) {
	rep := &Report{Counts: map[schema.Kind]int{}, Findings: []Finding{}}
	c := newConverter(opts.Mapping, rep)
	_, err := convertFrom(ctx, c, map[schema.Kind][]span{}, opts, layer, func(ro ReadOptions, fn func(*Source, *Feature) error) error {
		src := &Source{Path: layer, Format: FormatNDJSON, Layer: layer, CRS: geo.CGCS2000}
		if ro.CRS != nil {
			src.CRS = *ro.CRS
		}
		return ReadGeoJSON(r, src, ro, fn)
	})
	if err != nil {
		return nil, rep, err
	}
	n := 0
	for _, l := range data.Layers {
		n += c.ds.Count(l)
	}
	if n != 1 {
		return nil, rep, fmt.Errorf("%w: the body must be one GeoJSON Feature of a %s, not %d", ErrFormat, layer, n)
	}
	return c.ds, rep, nil
}
