package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"citygeo/schema"

	"github.com/goccy/go-yaml"
)

// Mapping says how source layers map onto the model. It is read from a JSON or YAML file; the
// zero value maps standard field names (standards.md §2.6) and guesses each layer's kind from
// its name and columns.
type Mapping struct {
	Name         string         `json:"name,omitempty" yaml:"name,omitempty"`                   // dataset name
	GridLegacy14 bool           `json:"grid_legacy14,omitempty" yaml:"grid_legacy14,omitempty"` // accept 14-digit grid codes
	CRS          string         `json:"crs,omitempty" yaml:"crs,omitempty"`                     // CRS of files without one (EPSG:n)
	Layers       []LayerMapping `json:"layers,omitempty" yaml:"layers,omitempty"`
}

// LayerMapping maps the source layers whose name matches Match (a case-insensitive glob on the
// file's base name or GeoPackage table) onto one kind.
type LayerMapping struct {
	Match string      `json:"match" yaml:"match"`
	Kind  schema.Kind `json:"kind" yaml:"kind"`
	Skip  bool        `json:"skip,omitempty" yaml:"skip,omitempty"` // ignore matching layers
	// Fields maps model fields (schema keys) to source columns, alternatives separated by '|'
	// ("owner_name": "主管部门|权属部门"). Unlisted fields fall back to schema.Def.Columns.
	Fields map[string]string `json:"fields,omitempty" yaml:"fields,omitempty"`
	// Values rewrites source values per model field: derived codes, code lists, status words.
	// A value not in a field's table is an error finding.
	Values map[string]map[string]string `json:"values,omitempty" yaml:"values,omitempty"`
	// Templates build a model field from several columns: "{COL}" inserts a column's value
	// (rewritten through Values["COL"] when such a table exists), "{COL:6}" left-pads it with
	// zeros to 6 digits, "{seq:6}" is the feature's 1-based position. Example, a CJ/T 214 id
	// from a category column: "630003{category}{seq:6}".
	Templates map[string]string `json:"templates,omitempty" yaml:"templates,omitempty"`
	// Const sets model fields to a constant ("derived": "true").
	Const map[string]string `json:"const,omitempty" yaml:"const,omitempty"`
	// DeriveGrids cuts each community polygon into cells of SizeM metres (labelled Derived),
	// for cities without surveyed unit grids.
	DeriveGrids *GridDerivation `json:"derive_grids,omitempty" yaml:"derive_grids,omitempty"`
}

// GridDerivation asks for unit grids derived from community polygons.
type GridDerivation struct {
	SizeM float64 `json:"size_m" yaml:"size_m"`
}

// LoadMapping reads a mapping file: JSON when it starts with '{', YAML otherwise.
func LoadMapping(file string) (*Mapping, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ParseMapping(f)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", file, err)
	}
	return m, nil
}

// ParseMapping reads a mapping from r (JSON or YAML); unknown keys are errors.
func ParseMapping(r io.Reader) (*Mapping, error) {
	b, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	var m Mapping
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
	} else if err := yaml.UnmarshalWithOptions(b, &m, yaml.Strict()); err != nil {
		return nil, err
	}
	return &m, m.Validate()
}

// Validate checks kinds, field names and grid sizes.
func (m *Mapping) Validate() error {
	for i, l := range m.Layers {
		if l.Match == "" {
			return fmt.Errorf("layers[%d]: match is empty", i)
		}
		if _, err := path.Match(strings.ToLower(l.Match), ""); err != nil {
			return fmt.Errorf("layers[%d]: match %q: %w", i, l.Match, err)
		}
		if l.Skip {
			continue
		}
		defs := schema.Defs(l.Kind)
		if defs == nil {
			return fmt.Errorf("layers[%d] (%s): kind %q: want one of %v", i, l.Match, l.Kind, schema.Kinds)
		}
		keys := map[string]bool{}
		for _, d := range defs {
			keys[d.Key] = true
		}
		for _, fs := range []map[string]string{l.Fields, l.Const} {
			for f := range fs {
				if !keys[f] {
					return fmt.Errorf("layers[%d] (%s): %s has no field %q", i, l.Match, l.Kind, f)
				}
			}
		}
		for f, t := range l.Templates {
			if !keys[f] {
				return fmt.Errorf("layers[%d] (%s): templates: %s has no field %q", i, l.Match, l.Kind, f)
			}
			if _, err := parseTemplate(t); err != nil {
				return fmt.Errorf("layers[%d] (%s): templates: %s: %w", i, l.Match, f, err)
			}
		}
		for f := range l.Values {
			if !keys[f] && !l.templateUses(f) {
				return fmt.Errorf("layers[%d] (%s): values: %s has no field %q", i, l.Match, l.Kind, f)
			}
		}
		if l.DeriveGrids != nil && (l.Kind != schema.Community || l.DeriveGrids.SizeM < 10 || l.DeriveGrids.SizeM > 10000) {
			return fmt.Errorf("layers[%d] (%s): derive_grids needs kind community and size_m in 10…10000", i, l.Match)
		}
	}
	return nil
}

// layerFor picks the mapping for a source layer: the first matching entry, else a kind guessed
// from the name and columns. ok is false when the layer is to be skipped or cannot be placed.
func (m *Mapping) layerFor(src *Source) (LayerMapping, error) {
	name := strings.ToLower(src.Layer)
	for _, l := range m.Layers {
		if ok, _ := path.Match(strings.ToLower(l.Match), name); ok {
			return l, nil
		}
	}
	if schema.NotDataset(name) {
		return LayerMapping{Match: src.Layer, Skip: true}, nil
	}
	if k := guessKind(name, src.Columns); k != "" {
		return LayerMapping{Match: src.Layer, Kind: k}, nil
	}
	return LayerMapping{}, fmt.Errorf("cannot tell which layer %q is (name it district, street, community, grid, component, department, road, address, poi or building, or add it to the mapping file): %w", src.Layer, errLayerUnknown)
}

func guessKind(name string, cols []string) schema.Kind {
	for _, g := range []struct {
		k     schema.Kind
		words []string
	}{
		{schema.Grid, []string{"grid", "网格", "dywg"}},
		{schema.Component, []string{"component", "部件", "bujian", "glbj"}},
		{schema.Community, []string{"community", "社区", "village", "村"}},
		{schema.Street, []string{"street", "街道", "town", "乡镇"}},
		{schema.District, []string{"district", "区县", "county"}},
		{schema.Department, []string{"department", "dept", "部门"}},
		{schema.Road, []string{"road", "道路", "街巷"}},
		{schema.Address, []string{"address", "门牌", "地址"}},
		{schema.POI, []string{"poi", "兴趣点"}},
		{schema.Building, []string{"building", "楼栋"}},
	} {
		for _, w := range g.words {
			if strings.Contains(name, w) {
				return g.k
			}
		}
	}
	// A column that only one kind's fields go by (a component id under a standard's name) names
	// the kind.
	for _, k := range schema.Kinds {
		for _, d := range schema.Defs(k) {
			for _, c := range cols {
				if slices.ContainsFunc(d.Columns[:d.Marks], func(m string) bool { return strings.EqualFold(m, c) }) {
					return k
				}
			}
		}
	}
	return ""
}

// tmplPart is a literal (col == "") or a placeholder.
type tmplPart struct {
	lit, col string
	width    int
}

func parseTemplate(t string) ([]tmplPart, error) {
	var out []tmplPart
	for t != "" {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			out = append(out, tmplPart{lit: t})
			break
		}
		if i > 0 {
			out = append(out, tmplPart{lit: t[:i]})
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("template %q: unclosed {", t)
		}
		ph := t[i+1 : i+j]
		p := tmplPart{col: ph}
		if c, w, ok := strings.Cut(ph, ":"); ok {
			n, err := strconv.Atoi(w)
			if err != nil || n < 1 || n > 20 {
				return nil, fmt.Errorf("template %q: width %q", t, w)
			}
			p.col, p.width = c, n
		}
		if p.col == "" {
			return nil, fmt.Errorf("template %q: empty placeholder", t)
		}
		out = append(out, p)
		t = t[i+j+1:]
	}
	return out, nil
}

func (l LayerMapping) templateUses(col string) bool {
	for _, t := range l.Templates {
		parts, _ := parseTemplate(t)
		for _, p := range parts {
			if p.col == col {
				return true
			}
		}
	}
	return false
}
