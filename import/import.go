package importer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"citygeo/data"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// Options control Check and Import. The zero value maps standard field names and detects CRS
// and encodings.
type Options struct {
	Mapping  *Mapping
	Read     ReadOptions
	Validate ValidateOptions
	// Repair mends polygons whose rings cross themselves (geo.MakeValid) before validation and
	// reports each repair; without it they are errors (import --repair).
	Repair bool
	// Progress, when set, is called with the file being read and bytes done/total.
	Progress func(file string, done, total int64)
}

type span struct {
	start int
	path  string
}

// Check reads files, converts them, merges them over base (the version being replaced, nil
// for none) and validates the result. It returns the merged dataset and the report; err is set
// when a file cannot be read at all (the report then covers what was read before).
func Check(ctx context.Context, files []string, base *data.Dataset, opts Options) (*data.Dataset, *Report, error) {
	return check(ctx, files, func(map[schema.Kind]bool) (*data.Dataset, error) { return base, nil }, opts, nil)
}

// check is Check with the base loaded only once the files are read, so that layers about to be
// replaced need not be loaded. When w is not nil, the features converted are written to it
// while the files are read (converter.stream).
func check(ctx context.Context, files []string, loadBase func(replaced map[schema.Kind]bool) (*data.Dataset, error), opts Options,
	w data.VersionWriter) (*data.Dataset, *Report, error) {
	rep := &Report{Files: files, Counts: map[schema.Kind]int{}, Findings: []Finding{}}
	c := newConverter(opts.Mapping, rep)
	c.stream = w
	spans := map[schema.Kind][]span{}
	read := 0 // records read from every file
	for _, file := range files {
		n, err := convertFrom(ctx, c, spans, opts, file, func(ro ReadOptions, fn func(*Source, *Feature) error) error { return Read(file, ro, fn) })
		read += n
		if errors.Is(err, errLayerUnknown) { // the client's file, not a failure: refused by the report
			rep.add(Finding{Check: "file.layer", Severity: SeverityError, File: file, Reason: err.Error()})
			continue
		}
		if err != nil {
			return nil, rep, err
		}
	}
	c.checkMappedColumns()
	if read == 0 && len(files) > 0 {
		// A header-only CSV or an empty layer would otherwise replace the city's layer with nothing.
		rep.add(Finding{Check: "file.empty", Severity: SeverityError, File: strings.Join(files, " "), Reason: "no records to import in " + strings.Join(files, ", ")})
	}
	replaced := map[schema.Kind]bool{}
	for k := range c.kinds {
		replaced[k] = true
	}
	if len(c.derive) > 0 {
		replaced[schema.Grid] = true
	}
	base, err := loadBase(replaced)
	if err != nil {
		return nil, rep, err
	}
	var baseBound orb.Bound
	if base != nil {
		baseBound = base.Bound()
	}
	c.checkTogether(baseBound)
	merged := merge(base, c)
	for _, job := range c.derive {
		gs, err := DeriveGrids(job.area, job.size)
		if err != nil {
			return nil, rep, err
		}
		merged.Grids = append(merged.Grids, gs...)
	}
	vo := opts.Validate
	vo.GridLegacy14 = vo.GridLegacy14 || (opts.Mapping != nil && opts.Mapping.GridLegacy14)
	vo.Kinds = c.kinds
	if len(c.derive) > 0 {
		vo.Kinds[schema.Grid] = true
	}
	report := func(f Finding) {
		if f.File == "" {
			if ss := spans[f.Layer]; len(ss) > 0 && c.kinds[f.Layer] {
				i := sort.Search(len(ss), func(i int) bool { return ss[i].start > f.Index }) - 1
				if i >= 0 {
					f.File, f.Index = ss[i].path, f.Index-ss[i].start
				}
			}
		}
		rep.add(f)
	}
	if opts.Repair {
		repair(merged, c.kinds, report)
	}
	vo.counted = rep.counted
	Validate(merged, vo, report)
	return merged, rep, nil
}

// convertFrom converts the features that read gives (one file, or one request body) into c,
// noting where each source layer starts in spans, and returns how many records it read.
func convertFrom(ctx context.Context, c *converter, spans map[schema.Kind][]span, opts Options, name string,
	read func(ReadOptions, func(*Source, *Feature) error) error) (int, error) {
	var last *Source
	ro := opts.Read
	if opts.Progress != nil {
		ro.Progress = func(done, total int64) { opts.Progress(name, done, total) }
	}
	if ro.CRS == nil && opts.Mapping != nil && opts.Mapping.CRS != "" {
		crs, err := ParseCRS(opts.Mapping.CRS)
		if err != nil {
			return 0, fmt.Errorf("mapping crs: %w", err)
		}
		ro.CRS = &crs
	}
	n := 0
	err := read(ro, func(src *Source, f *Feature) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if src != last {
			last = src
			r, err := c.resolve(src, f)
			if err != nil {
				return err
			}
			if !r.Skip {
				spans[r.Kind] = append(spans[r.Kind], span{start: c.report.Counts[r.Kind], path: src.Path})
			}
		}
		if err := c.add(src, f); err != nil {
			return err
		}
		if n%streamCheck == 0 {
			c.flush(streamPart)
		}
		return nil
	})
	return n, err
}

// merge builds the new version: the layers read replace the same layers of base, the others
// are kept. Derived grids replace base grids too.
func merge(base *data.Dataset, c *converter) *data.Dataset {
	if base == nil {
		base = &data.Dataset{}
	}
	in := c.ds
	out := &data.Dataset{Name: in.Name}
	if out.Name == "" {
		out.Name = base.Name
	}
	for _, a := range base.Areas {
		if !c.kinds[schema.AreaKind(a.Level)] {
			out.Areas = append(out.Areas, a)
		}
	}
	out.Areas = append(out.Areas, in.Areas...)
	sort.SliceStable(out.Areas, func(i, j int) bool { return out.Areas[i].Level < out.Areas[j].Level })
	out.Grids = layerOf(c.kinds[schema.Grid] || len(c.derive) > 0, in.Grids, base.Grids)
	out.Components = layerOf(c.kinds[schema.Component], in.Components, base.Components)
	out.Departments = layerOf(c.kinds[schema.Department], in.Departments, base.Departments)
	out.Roads = layerOf(c.kinds[schema.Road], in.Roads, base.Roads)
	out.Addresses = layerOf(c.kinds[schema.Address], in.Addresses, base.Addresses)
	out.POIs = layerOf(c.kinds[schema.POI], in.POIs, base.POIs)
	out.Buildings = layerOf(c.kinds[schema.Building], in.Buildings, base.Buildings)
	return out
}

// layerOf is the imported layer when the import brought it, else the current version's.
func layerOf[T any](imported bool, in, base []T) []T {
	if imported {
		return in
	}
	return base
}

// kindLayers maps the kinds that own a whole store layer; areas share one layer across levels.
var kindLayers = map[schema.Kind]data.Layer{
	schema.Grid: data.LayerGrid, schema.Component: data.LayerComponent, schema.Department: data.LayerDepartment,
	schema.Road: data.LayerRoad, schema.Address: data.LayerAddress, schema.POI: data.LayerPOI, schema.Building: data.LayerBuilding,
}

// ValidationError is returned by Import when the report has errors; nothing was written.
type ValidationError struct {
	Report *Report
}

// Error counts the errors and warnings that refused the import.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("import refused: %d errors, %d warnings", e.Report.Errors, e.Report.Warnings)
}

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// Import checks files against the store's active version and, when no finding is an error,
// writes the merged dataset as a new active version all or nothing (data.Store.Save). On any error nothing
// is written.
func Import(ctx context.Context, st data.Store, files []string, opts Options) (int64, *Report, error) {
	loadBase := func(replaced map[schema.Kind]bool) (*data.Dataset, error) {
		v, err := st.ActiveVersion(ctx)
		if errors.Is(err, data.ErrNoActive) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		keep := []data.Layer{data.LayerArea}
		for k, l := range kindLayers {
			if !replaced[k] {
				keep = append(keep, l)
			}
		}
		return st.LoadLayers(ctx, v, keep)
	}
	// On a store that writes a version in parts, the features are stored while the files are
	// still read (on a second core when there is one), and dropped if validation fails. Not
	// with Repair, which changes features after they are read.
	var w data.VersionWriter
	if ss, ok := st.(data.StreamStore); ok && !opts.Repair {
		var err error
		if w, err = ss.BeginVersion(ctx); err != nil {
			return 0, nil, err
		}
	}
	abort := func() {
		if w != nil {
			w.Abort()
		}
	}
	ds, rep, err := check(ctx, files, loadBase, opts, w)
	if err != nil {
		abort()
		return 0, rep, err
	}
	if !rep.OK() {
		abort()
		return 0, rep, &ValidationError{Report: rep}
	}
	source := "import " + strings.Join(files, " ")
	var v int64
	if w != nil {
		v, err = w.Commit(ctx, ds, source)
	} else {
		v, err = st.Save(ctx, ds, source)
	}
	if err != nil {
		return 0, rep, err
	}
	return v, rep, nil
}
