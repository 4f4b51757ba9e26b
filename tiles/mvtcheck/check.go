// Package mvtcheck is a strict Mapbox Vector Tile (spec 2.1) decoder and validator for tests.
// Check reports every violation with its layer and feature; Spec mode follows the spec and the
// mvt-fixtures verdicts, Strict mode adds the rules citygeo's encoder promises (version 2,
// explicit extent 4096, ids present and unique, clean and correctly wound geometry).
package mvtcheck

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Mode selects how strict Check is.
type Mode int

// Modes of Check.
const (
	Spec   Mode = iota // the specification: what every valid tile satisfies
	Strict             // also citygeo's encoder guarantees
)

// Problem is one violation.
type Problem struct {
	Layer   string
	Feature int // index in the layer, -1 for layer-level problems
	Fatal   bool
	Msg     string
}

// String formats the problem with its severity, layer and feature.
func (p Problem) String() string {
	sev := "recoverable"
	if p.Fatal {
		sev = "fatal"
	}
	return fmt.Sprintf("%s: layer %q feature %d: %s", sev, p.Layer, p.Feature, p.Msg)
}

// Point is a decoded vertex in tile coordinates.
type Point struct{ X, Y int64 }

// Feature is a decoded feature.
type Feature struct {
	ID    uint64
	HasID bool
	Type  int
	Tags  map[string]any
	Parts [][]Point // points: one part; lines: one per line; polygons: one per ring
}

// Layer is a decoded layer.
type Layer struct {
	Name     string
	Version  int
	Extent   int
	Features []Feature
}

// Tile is a decoded tile.
type Tile struct{ Layers []Layer }

// Fatal reports whether any problem is fatal.
func Fatal(ps []Problem) bool {
	for _, p := range ps {
		if p.Fatal {
			return true
		}
	}
	return false
}

type checker struct {
	mode  Mode
	probs []Problem
	layer string
	feat  int
}

func (c *checker) add(fatal bool, format string, args ...any) {
	c.probs = append(c.probs, Problem{Layer: c.layer, Feature: c.feat, Fatal: fatal, Msg: fmt.Sprintf(format, args...)})
}

// Check decodes b (uncompressed MVT) and returns the tile and every problem found.
func Check(b []byte, mode Mode) (*Tile, []Problem) {
	c := &checker{mode: mode, feat: -1}
	t := &Tile{}
	r := reader{b: b}
	names := map[string]bool{}
	for !r.done() {
		num, wire, err := r.field()
		if err != nil {
			c.add(true, "tile: %v", err)
			break
		}
		if num != 3 {
			if num >= 16 && num <= 8191 {
				if err := r.skip(wire); err != nil {
					c.add(true, "tile extension %d: %v", num, err)
					break
				}
				continue
			}
			c.add(true, "tile: unknown field %d", num)
			break
		}
		if wire != 2 {
			c.add(true, "tile: layers field has wire type %d", wire)
			break
		}
		lb, err := r.bytes()
		if err != nil {
			c.add(true, "tile: layer: %v", err)
			break
		}
		l, ok := c.layerMsg(lb)
		if !ok {
			continue
		}
		if names[l.Name] {
			c.layer, c.feat = l.Name, -1
			c.add(false, "duplicate layer name")
		}
		names[l.Name] = true
		t.Layers = append(t.Layers, l)
	}
	return t, c.probs
}

func (c *checker) layerMsg(b []byte) (Layer, bool) {
	c.layer, c.feat = "", -1
	l := Layer{Extent: 4096}
	var feats [][]byte
	var keys []string
	var vals []any
	hasName, hasVersion, hasExtent := false, false, false
	r := reader{b: b}
	for !r.done() {
		num, wire, err := r.field()
		if err != nil {
			c.add(true, "layer: %v", err)
			return l, false
		}
		want := map[int]int{15: 0, 1: 2, 2: 2, 3: 2, 4: 2, 5: 0}
		w, known := want[num]
		if !known {
			if num >= 16 {
				if err := r.skip(wire); err != nil {
					c.add(true, "layer extension %d: %v", num, err)
					return l, false
				}
				continue
			}
			c.add(true, "layer: unknown field %d", num)
			return l, false
		}
		if wire != w {
			c.add(true, "layer field %d: wire type %d, want %d", num, wire, w)
			return l, false
		}
		switch num {
		case 15, 5:
			v, err := r.varint()
			if err != nil {
				c.add(true, "layer field %d: %v", num, err)
				return l, false
			}
			if num == 15 {
				l.Version, hasVersion = int(v), true
			} else {
				l.Extent, hasExtent = int(v), true
			}
		default:
			bb, err := r.bytes()
			if err != nil {
				c.add(true, "layer field %d: %v", num, err)
				return l, false
			}
			switch num {
			case 1:
				l.Name, hasName = string(bb), true
			case 2:
				feats = append(feats, bb)
			case 3:
				keys = append(keys, string(bb))
			case 4:
				v, ok := c.valueMsg(bb)
				if !ok {
					return l, false
				}
				vals = append(vals, v)
			}
		}
	}
	c.layer = l.Name
	if !hasName || l.Name == "" {
		c.add(true, "layer has no name")
		return l, false
	}
	if !hasVersion {
		c.add(true, "layer has no version")
		return l, false
	}
	if l.Version != 1 && l.Version != 2 {
		c.add(true, "unknown layer version %d", l.Version)
		return l, false
	}
	if l.Extent <= 0 {
		c.add(true, "extent %d", l.Extent)
		return l, false
	}
	if c.mode == Strict {
		if l.Version != 2 {
			c.add(false, "version %d, want 2", l.Version)
		}
		if !hasExtent || l.Extent != 4096 {
			c.add(false, "extent missing or not 4096")
		}
		if len(feats) == 0 {
			c.add(false, "empty layer")
		}
		seenK := map[string]bool{}
		for _, k := range keys {
			if seenK[k] {
				c.add(false, "duplicate key %q in keys table", k)
			}
			seenK[k] = true
		}
		seenV := map[any]bool{}
		for _, v := range vals {
			if seenV[v] {
				c.add(false, "duplicate value %v in values table", v)
			}
			seenV[v] = true
		}
	}
	ids := map[uint64]bool{}
	for i, fb := range feats {
		c.feat = i
		f, ok := c.featureMsg(fb, l.Version, keys, vals)
		if !ok {
			if Fatal(c.probs) {
				return l, false
			}
			continue
		}
		if c.mode == Strict {
			if !f.HasID {
				c.add(false, "feature has no id")
			} else if ids[f.ID] {
				c.add(false, "duplicate id %d", f.ID)
			} else if f.ID >= 1<<53 {
				c.add(false, "id %d is not exact as a JavaScript number (≥ 2^53)", f.ID)
			}
			ids[f.ID] = true
			c.strictGeometry(f, l.Extent)
		}
		l.Features = append(l.Features, f)
	}
	c.feat = -1
	return l, true
}

func (c *checker) valueMsg(b []byte) (any, bool) {
	r := reader{b: b}
	var v any
	n := 0
	for !r.done() {
		num, wire, err := r.field()
		if err != nil {
			c.add(true, "value: %v", err)
			return nil, false
		}
		want := map[int]int{1: 2, 2: 5, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0}
		w, known := want[num]
		if !known {
			c.add(true, "value: unknown field %d", num)
			return nil, false
		}
		if wire != w {
			c.add(true, "value field %d: wire type %d, want %d", num, wire, w)
			return nil, false
		}
		switch wire {
		case 2:
			s, err := r.bytes()
			if err != nil {
				c.add(true, "value: %v", err)
				return nil, false
			}
			v = string(s)
		case 5:
			f, err := r.fixed(4)
			if err != nil {
				c.add(true, "value: %v", err)
				return nil, false
			}
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(f)))
		case 1:
			f, err := r.fixed(8)
			if err != nil {
				c.add(true, "value: %v", err)
				return nil, false
			}
			v = math.Float64frombits(binary.LittleEndian.Uint64(f))
		case 0:
			x, err := r.varint()
			if err != nil {
				c.add(true, "value: %v", err)
				return nil, false
			}
			switch num {
			case 4:
				v = int64(x)
			case 5:
				v = x
			case 6:
				v = int64(x>>1) ^ -int64(x&1)
			case 7:
				v = x != 0
			}
		}
		n++
	}
	if n != 1 {
		c.add(true, "value has %d typed fields, want exactly 1", n)
		return nil, false
	}
	return v, true
}

func (c *checker) featureMsg(b []byte, version int, keys []string, vals []any) (Feature, bool) {
	f := Feature{Tags: map[string]any{}, Type: -1}
	var tags, geom []uint32
	nGeom := 0
	r := reader{b: b}
	for !r.done() {
		num, wire, err := r.field()
		if err != nil {
			c.add(true, "feature: %v", err)
			return f, false
		}
		switch {
		case num == 1 && wire == 0:
			f.ID, err = r.varint()
			f.HasID = true
		case num == 3 && wire == 0:
			var t uint64
			t, err = r.varint()
			f.Type = int(t)
		case (num == 2 || num == 4) && wire == 2:
			var bb []byte
			bb, err = r.bytes()
			if err == nil {
				var vs []uint32
				vs, err = packed(bb)
				if num == 2 {
					tags = append(tags, vs...)
				} else {
					geom = append(geom, vs...)
					nGeom++
				}
			}
		case num >= 1 && num <= 4:
			c.add(true, "feature field %d: wire type %d", num, wire)
			return f, false
		default:
			err = r.skip(wire)
		}
		if err != nil {
			c.add(true, "feature field %d: %v", num, err)
			return f, false
		}
	}
	if len(tags)%2 != 0 {
		c.add(false, "odd number of tags (%d)", len(tags))
		return f, false
	}
	for i := 0; i < len(tags); i += 2 {
		ki, vi := int(tags[i]), int(tags[i+1])
		if ki >= len(keys) {
			c.add(true, "tag key index %d out of range (%d keys)", ki, len(keys))
			return f, false
		}
		if vi >= len(vals) {
			c.add(true, "tag value index %d out of range (%d values)", vi, len(vals))
			return f, false
		}
		if _, dup := f.Tags[keys[ki]]; dup {
			c.add(false, "key %q repeated in one feature", keys[ki])
		}
		f.Tags[keys[ki]] = vals[vi]
	}
	switch {
	case f.Type == -1:
		c.add(false, "feature has no type")
		return f, false
	case f.Type == 0:
		return f, true // UNKNOWN is valid; its geometry is not interpreted
	case f.Type > 3:
		c.add(false, "unknown geometry type %d", f.Type)
		return f, false
	}
	if nGeom == 0 {
		c.add(false, "feature has no geometry")
		return f, false
	}
	if nGeom > 1 {
		c.add(false, "feature has %d geometry fields", nGeom)
		return f, false
	}
	parts, ok := c.geometry(f.Type, geom, version)
	if !ok {
		return f, false
	}
	f.Parts = parts
	return f, true
}
