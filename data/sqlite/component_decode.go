package sqlite

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/valyala/fastjson"

	"citygeo/data"
	"citygeo/internal/jsonattr"
)

// componentDecoder decodes component rows straight into data.Component: a 2M-component city
// decoded through go-json and componentProps made ~10 objects of garbage a row (the JSON copy,
// each string, the department structs, the dates) and the collector's work on them was most of
// a start. fastjson parses a row into the decoder's reused buffers, repeated values are interned
// by the decoder, unique ones copied into shared chunks (data.Strings), and the components are
// allocated in an arena the collector does not scan (data.ComponentArena).
type componentDecoder struct {
	parser fastjson.Parser
	arena  data.ComponentArena
	// The last value of each repeated field: rows come in id order, so runs of one class share
	// them, and comparing with the last value is cheaper than a map lookup.
	major, minor, source, grid  string
	owner, property, maintainer lastDept
}

// lastDept is the last code and name read in one role, and the last department and its Dept.
type lastDept struct {
	code, name string
	ref        data.DeptRef
	h          data.Dept
}

// repeated returns b's text as the last value when it is the same, else interned.
func (d *componentDecoder) repeated(last *string, b []byte) string {
	if string(b) != *last {
		*last = d.arena.Strings().Intern(b)
	}
	return *last
}

// decode fills c from the row's fid, JSON attributes and geometry. fid and props may be reused
// once it returns.
func (d *componentDecoder) decode(c *data.Component, fid []byte, props []byte, g orb.Geometry) error {
	v, err := d.parser.ParseBytes(props)
	if err != nil {
		return err
	}
	o, err := v.Object()
	if err != nil {
		return err
	}
	*c = data.Component{ID: d.arena.Strings().Make(fid), Geometry: g}
	o.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil {
			return
		}
		field := fieldName(key)
		switch field {
		case "scheme", "major", "minor", "grid", "status", "source", "name", "note":
			var b []byte
			if b, err = v.StringBytes(); err != nil {
				break
			}
			switch field {
			case "scheme":
				err = c.Scheme.UnmarshalText(b)
			case "major":
				c.Major = d.repeated(&d.major, b)
			case "minor":
				c.Minor = d.repeated(&d.minor, b)
			case "grid":
				c.Grid = d.repeated(&d.grid, b)
			case "status":
				err = c.Status.UnmarshalText(b)
			case "source":
				c.Source = d.repeated(&d.source, b)
			case "name":
				c.Name = d.arena.Strings().Make(b)
			case "note":
				c.Note = d.arena.Strings().Make(b)
			}
		case "owner":
			c.Owner, err = d.dept(&d.owner, v)
		case "property":
			c.Property, err = d.dept(&d.property, v)
		case "maintainer":
			c.Maintainer, err = d.dept(&d.maintainer, v)
		case "init_date":
			c.InitDate, err = date(v)
		case "change_date":
			c.ChangeDate, err = date(v)
		case "extra":
			var m map[string]string
			m, err = jsonattr.Extra(v, d.arena.Strings())
			c.Extra = d.arena.Extra(m)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", field, err)
		}
	})
	return err
}

// geometry decodes a component's WKB (nil for none) into the arena.
func (d *componentDecoder) geometry(b []byte) (orb.Geometry, error) {
	if pt, ok := data.WKBPoint(b); ok {
		return d.arena.Point(pt), nil
	}
	g, err := decodeGeom(b)
	if err != nil {
		return nil, err
	}
	return d.arena.Geometry(g), nil
}

// componentFields are the attribute names the codec writes.
var componentFields = []string{"scheme", "major", "minor", "name", "owner", "property", "maintainer", "grid",
	"status", "init_date", "change_date", "source", "note", "extra"}

// fieldName returns the attribute key names, matched as go-json (and encoding/json) match a
// struct's fields: exactly, else ignoring case. "" for none.
func fieldName(key []byte) string {
	// A switch on the exact key is a few comparisons where a loop over the list was one per
	// field: 2M components, 14 keys each.
	switch string(key) {
	case "scheme":
		return "scheme"
	case "major":
		return "major"
	case "minor":
		return "minor"
	case "name":
		return "name"
	case "owner":
		return "owner"
	case "property":
		return "property"
	case "maintainer":
		return "maintainer"
	case "grid":
		return "grid"
	case "status":
		return "status"
	case "init_date":
		return "init_date"
	case "change_date":
		return "change_date"
	case "source":
		return "source"
	case "note":
		return "note"
	case "extra":
		return "extra"
	}
	for _, f := range componentFields {
		if strings.EqualFold(string(key), f) {
			return f
		}
	}
	return ""
}

// dept reads {"code": …, "name": …} as a Dept.
func (d *componentDecoder) dept(last *lastDept, v *fastjson.Value) (data.Dept, error) {
	o, err := v.Object()
	if err != nil {
		return data.Dept{}, err
	}
	var ref data.DeptRef
	o.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil {
			return
		}
		var b []byte
		switch k := string(key); {
		case k == "code" || strings.EqualFold(k, "code"):
			b, err = v.StringBytes()
			ref.Code = d.repeated(&last.code, b)
		case k == "name" || strings.EqualFold(k, "name"):
			b, err = v.StringBytes()
			ref.Name = d.repeated(&last.name, b)
		}
	})
	if err != nil {
		return data.Dept{}, err
	}
	if ref == last.ref && !last.h.IsZero() {
		return last.h, nil
	}
	h := d.arena.Strings().Dept(ref)
	last.ref, last.h = ref, h
	return h, nil
}

// date reads a date as the codec writes it (RFC 3339, the calendar date first) or null.
func date(v *fastjson.Value) (data.Date, error) {
	if v.Type() == fastjson.TypeNull {
		return 0, nil
	}
	b, err := v.StringBytes()
	if err != nil {
		return 0, err
	}
	if len(b) >= 10 && b[4] == '-' && b[7] == '-' {
		y, err1 := strconv.Atoi(string(b[:4]))
		m, err2 := strconv.Atoi(string(b[5:7]))
		day, err3 := strconv.Atoi(string(b[8:10]))
		if err1 == nil && err2 == nil && err3 == nil && m >= 1 && m <= 12 && day >= 1 && day <= 31 {
			return data.MakeDate(y, time.Month(m), day), nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, fmt.Errorf("date %q", b)
	}
	return data.DateOf(t), nil
}
