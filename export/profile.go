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
// GeoPackage TEXT, INTEGER, REAL, DATE or BOOLEAN.
type Column struct {
	Key  string
	Name string
	Type schema.Type
}

// Own is the project's own profile: every field the schema writes, under its first column name
// (the CJ/T 214-2007 names for components), as text. Text keeps every value exactly as the
// schema writes it, so a re-import with the default mapping gives the dataset back.
var Own = Profile{Name: "citygeo", Layers: ownLayers()}

func ownLayers() map[schema.Kind][]Column {
	out := map[schema.Kind][]Column{}
	for _, k := range schema.Kinds {
		out[k] = tableOf(k, nil).own()
	}
	return out
}

// Validate checks that every column names a field its kind's schema writes, and that no
// layer has two columns of one name.
func (p *Profile) Validate() error {
	for k, cols := range p.Layers {
		t := tableOf(k, nil)
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
