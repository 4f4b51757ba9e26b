package schema

import (
	"strings"

	"citygeo/data"
)

// Kind is a layer kind of the city model: what a source layer is imported into and what an
// export writes one layer (file or table) of.
type Kind string

// The layer kinds. Areas are split by level so that importing the communities keeps the current
// districts and streets.
const (
	District   Kind = "district"
	Street     Kind = "street"
	Community  Kind = "community"
	Grid       Kind = "grid"
	Component  Kind = "component"
	Department Kind = "department"
	Road       Kind = "road"
	Address    Kind = "address"
	POI        Kind = "poi"
	Building   Kind = "building"
)

// The layers an export writes beside the dataset's that are no dataset layer, and that the
// importer therefore skips: the GB/T 47678.5 exchange's events (kept by the dispatch feed,
// not a dataset version) and a change set's removed ids.
const (
	EventLayer   = "event"
	DeletedLayer = "deleted"
)

// NotDataset reports whether a source layer of this name is one of those: the name, or the
// name split by geometry type ("event_null").
func NotDataset(layer string) bool {
	for _, n := range []string{EventLayer, DeletedLayer} {
		if strings.EqualFold(layer, n) || len(layer) > len(n) && strings.EqualFold(layer[:len(n)+1], n+"_") {
			return true
		}
	}
	return false
}

// Kinds lists every kind in import order: parents before children.
var Kinds = []Kind{District, Street, Community, Grid, Department, Component, Road, Address, POI, Building}

// Level returns the area level of an area kind, and 0 for the other kinds.
func (k Kind) Level() data.AreaLevel {
	switch k {
	case District:
		return data.District
	case Street:
		return data.Street
	case Community:
		return data.Community
	}
	return 0
}

// AreaKind returns the kind of the areas at level l; any level below street is a community.
func AreaKind(l data.AreaLevel) Kind {
	switch l {
	case data.District:
		return District
	case data.Street:
		return Street
	}
	return Community
}
