package export

import (
	"fmt"

	"citygeo/schema"
)

// Profile is an export profile: per layer kind, the columns written. A new profile (a CJ/T 214
// or GB/T 47678.5 exchange profile) is a new table of this type, not code. Kinds a profile does
// not list are not written.
type Profile struct {
	Name   string
	Layers map[schema.Kind][]Column
}

// Column is one output column: the schema field it is written from, its name and its type.
// The writers map the type onto theirs: GeoJSON string, number or bool; DBF C, N, D or L;
// GeoPackage TEXT, INTEGER, REAL, DATE (DATETIME for instants) or BOOLEAN.
type Column struct {
	Key  string
	Name string
	Type schema.Type
	// Convert rewrites the schema's text for this column (a 16-digit CJ/T 214 component id as
	// its 17-digit GB/T 47678.5 id); nil writes it as it is. An error stops the export and
	// names the record.
	Convert func(string) (string, error)
}

// Own is the project's own profile: every field the schema writes, under its first column name
// (the CJ/T 214-2007 names for components), typed as the schema types it (numbers as numbers,
// dates as dates). A re-import with the default mapping gives the dataset back.
var Own = Profile{Name: "citygeo", Layers: ownLayers()}

func ownLayers() map[schema.Kind][]Column {
	out := map[schema.Kind][]Column{}
	for _, k := range schema.Kinds {
		out[k] = tableOf(k, nil, nil).own()
	}
	return out
}

// Validate checks that every column names a field its kind's schema writes, and that no
// layer has two columns of one name.
func (p *Profile) Validate() error {
	for k, cols := range p.Layers {
		t := tableOf(k, nil, nil)
		if t == nil {
			return fmt.Errorf("profile %s: kind %q: want one of %v", p.Name, k, schema.Kinds)
		}
		names := map[string]bool{}
		for _, c := range cols {
			if c.Name == "" || names[c.Name] {
				return fmt.Errorf("profile %s: %s: column name %q is empty or repeated", p.Name, k, c.Name)
			}
			names[c.Name] = true
			if !t.writes(c.Key) {
				return fmt.Errorf("profile %s: %s: column %s: the schema writes no field %q", p.Name, k, c.Name, c.Key)
			}
		}
	}
	return nil
}

// Profiles are the profiles by the names the CLI's --schema and the API's schema parameter
// take.
var Profiles = map[string]*Profile{Own.Name: &Own, GB47678.Name: &GB47678}

// ProfileNamed returns the profile called name; an error wrapping ErrOption for another name.
func ProfileNamed(name string) (*Profile, error) {
	if p, ok := Profiles[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("export schema %q: %w: want citygeo or gb47678", name, ErrOption)
}

// DeletedLayer is the name of the layer of deleted ids a change set carries (Since): one row
// per deleted feature, with its kind (LAYER) and its id as the profile writes it (ID), no
// geometry. The importer skips it (schema.NotDataset).
const DeletedLayer = schema.DeletedLayer

// deletedLayer is the layer of deleted ids, nil when there are none. Ids are converted as the
// profile converts its kind's identifying column.
func deletedLayer(p *Profile, deleted map[schema.Kind][]string) (*layer, error) {
	l := layer{name: DeletedLayer, cols: []Column{{Name: "ID", Type: schema.Text}, {Name: "LAYER", Type: schema.Text}}}
	for _, k := range schema.Kinds {
		var conv func(string) (string, error)
		for _, c := range p.Layers[k] {
			if c.Key == schema.Key(k) {
				conv = c.Convert
			}
		}
		for _, id := range deleted[k] {
			if conv != nil {
				var err error
				if id, err = conv(id); err != nil {
					return nil, fmt.Errorf("export deleted %s %q: %w: %w", k, id, ErrUnwritable, err)
				}
			}
			l.records = append(l.records, record{props: map[string]string{"ID": id, "LAYER": string(k)}})
		}
	}
	if len(l.records) == 0 {
		return nil, nil
	}
	return &l, nil
}
