package data

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// ClassKind separates components (部件, physical objects) from events (事件/事项, situations).
type ClassKind string

// The two kinds of class in a catalog.
const (
	KindComponent ClassKind = "component"
	KindEvent     ClassKind = "event"
)

// Class is one entry of a class catalog.
type Class struct {
	Scheme Scheme
	Kind   ClassKind
	Major  string // 2 digits
	Minor  string // 2 or 3 digits, "" for a major class entry
	Name   string
}

// Code returns major+minor ("0118", "01037").
func (c Class) Code() string { return c.Major + c.Minor }

// Catalog is one scheme's list of component and event classes. It is read-only.
type Catalog struct {
	Scheme     Scheme
	majors     map[string]string // component major → name
	eventMajor map[string]string // event major → name
	classes    map[string]Class  // component code → class
	events     map[string]Class  // event code → class
	ordered    []Class
}

// Major returns the name of a component major class.
func (c *Catalog) Major(code string) (string, bool) {
	n, ok := c.majors[code]
	return n, ok
}

// MajorName returns the name of a component major class, or "".
func (c *Catalog) MajorName(code string) string { return c.majors[code] }

// Class returns the component class with this major+minor code.
func (c *Catalog) Class(code string) (Class, bool) {
	cl, ok := c.classes[code]
	return cl, ok
}

// Event returns the event class with this major+minor code.
func (c *Catalog) Event(code string) (Class, bool) {
	cl, ok := c.events[code]
	return cl, ok
}

// EventMajor returns the name of an event major class.
func (c *Catalog) EventMajor(code string) (string, bool) {
	n, ok := c.eventMajor[code]
	return n, ok
}

// Classes returns every class (components first, then events) in code order.
func (c *Catalog) Classes() []Class { return c.ordered }

// Lookup resolves a class code of either kind and either length: a major ("01"), or a full
// component or event class code. It reports the kind found; component classes win when a code
// exists as both (CJ/T 214 uses the same digits for component and event majors).
func (c *Catalog) Lookup(code string, kind ClassKind) (Class, bool) {
	if len(code) == 2 {
		if kind != KindEvent {
			if n, ok := c.majors[code]; ok {
				return Class{Scheme: c.Scheme, Kind: KindComponent, Major: code, Name: n}, true
			}
		}
		if n, ok := c.eventMajor[code]; ok && kind != KindComponent {
			return Class{Scheme: c.Scheme, Kind: KindEvent, Major: code, Name: n}, true
		}
		return Class{}, false
	}
	if kind != KindEvent {
		if cl, ok := c.classes[code]; ok {
			return cl, true
		}
	}
	if kind != KindComponent {
		if cl, ok := c.events[code]; ok {
			return cl, true
		}
	}
	return Class{}, false
}

// CatalogFor returns the catalog of a scheme (CJ/T 214-2007 for anything unknown).
func CatalogFor(s Scheme) *Catalog {
	if s == GBT4767 {
		return catalogs().gbt
	}
	return catalogs().cjt
}

// SchemeOfClass guesses the scheme from the length of a full class code: 4 digits is CJ/T 214,
// 5 is GB/T 47678.5.
func SchemeOfClass(code string) (Scheme, bool) {
	switch len(code) {
	case 4:
		return CJT214, true
	case 5:
		return GBT4767, true
	}
	return 0, false
}

var catalogs = sync.OnceValue(func() struct{ cjt, gbt *Catalog } {
	return struct{ cjt, gbt *Catalog }{
		cjt: buildCatalog(CJT214, cjtComponentMajors, cjtComponents, cjtEventMajors, cjtEvents),
		gbt: buildCatalog(GBT4767, gbtComponentMajors, gbtComponents, gbtEventMajors, gbtEvents),
	}
})

// buildCatalog parses the tables below: one line per major, "MM minor name, minor name, …".
func buildCatalog(s Scheme, compMajors, comps, evMajors, evs string) *Catalog {
	c := &Catalog{Scheme: s, majors: map[string]string{}, eventMajor: map[string]string{},
		classes: map[string]Class{}, events: map[string]Class{}}
	parseMajors(compMajors, c.majors)
	parseMajors(evMajors, c.eventMajor)
	parseClasses(s, KindComponent, comps, c.classes)
	parseClasses(s, KindEvent, evs, c.events)
	for _, m := range []map[string]Class{c.classes, c.events} {
		start := len(c.ordered)
		for _, cl := range m {
			c.ordered = append(c.ordered, cl)
		}
		part := c.ordered[start:]
		sort.Slice(part, func(i, j int) bool { return part[i].Code() < part[j].Code() })
	}
	return c
}

func parseMajors(table string, into map[string]string) {
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		code, name, _ := strings.Cut(strings.TrimSpace(line), " ")
		into[code] = strings.TrimSpace(name)
	}
}

func parseClasses(s Scheme, kind ClassKind, table string, into map[string]Class) {
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		major, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		for _, item := range strings.Split(rest, ",") {
			minor, name, _ := strings.Cut(strings.TrimSpace(item), " ")
			cl := Class{Scheme: s, Kind: kind, Major: major, Minor: minor, Name: strings.TrimSpace(name)}
			into[cl.Code()] = cl
		}
	}
}

// CheckClassFilter accepts what a query may filter components by: a major class ("01") of
// either catalog, or a component class code of either catalog ("0118" CJ/T 214, "01037"
// GB/T 47678.5). The error says which part is wrong.
func CheckClassFilter(class string) error {
	if len(class) == 2 {
		if _, found := CatalogFor(CJT214).Major(class); !found {
			if _, found := CatalogFor(GBT4767).Major(class); !found {
				return fmt.Errorf("%q is not a component major class", class)
			}
		}
		return nil
	}
	sch, ok := SchemeOfClass(class)
	if !ok {
		return fmt.Errorf("%q: want a major (2 digits) or a class code (4 digits CJ/T 214, 5 digits GB/T 47678.5)", class)
	}
	if _, found := CatalogFor(sch).Class(class); !found {
		return fmt.Errorf("%q is not a component class of %s", class, sch)
	}
	return nil
}
