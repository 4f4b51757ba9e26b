package export

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
)

// Shapefile shape types written.
const (
	shpNull     = 0
	shpPoint    = 1
	shpPolyLine = 3
	shpPolygon  = 5
)

func shapeType(g orb.Geometry) int {
	switch g.(type) {
	case nil:
		return shpNull
	case orb.Point:
		return shpPoint
	case orb.LineString, orb.MultiLineString:
		return shpPolyLine
	case orb.Polygon, orb.MultiPolygon:
		return shpPolygon
	}
	return -1
}

// shapefile writes one Shapefile per layer (layers are split by geometry type already):
// .shp, .shx, .dbf in the writer's charset with its .cpg, and the .prj of the writer's CRS.
func (w writer) shapefile(layers []layer, dir string) ([]string, error) {
	var files []string
	for _, l := range layers {
		typ := shpNull
		for _, r := range l.records {
			t := shapeType(r.geom)
			if t < 0 {
				return nil, fmt.Errorf("export %s: %s geometry cannot be written to a Shapefile: %w", l.name, r.geom.GeoJSONType(), ErrUnwritable)
			}
			if t != shpNull {
				typ = t
				break
			}
		}
		if err := w.shapefileLayer(filepath.Join(dir, l.name), typ, l); err != nil {
			return nil, fmt.Errorf("export %s.shp: %w", l.name, err)
		}
		files = append(files, l.name+".shp")
	}
	return files, nil
}

func (w writer) shapefileLayer(base string, typ int, l layer) error {
	if err := os.WriteFile(base+".prj", []byte(w.srs.prj), 0o644); err != nil {
		return err
	}
	cpg := "UTF-8"
	if w.charset == GBK {
		cpg = "GBK"
	}
	if err := os.WriteFile(base+".cpg", []byte(cpg), 0o644); err != nil {
		return err
	}
	if err := writeDBF(base+".dbf", l, w.charset); err != nil {
		return err
	}
	contents := make([][]byte, len(l.records))
	var box orb.Bound
	first := true
	for i, r := range l.records {
		if shapeType(r.geom) != typ && r.geom != nil {
			return fmt.Errorf("feature %d is a %s in a layer of another geometry type", i, r.geom.GeoJSONType())
		}
		contents[i] = shpContent(shapeType(r.geom), r.geom)
		if r.geom != nil {
			if first {
				box, first = r.geom.Bound(), false
			} else {
				box = box.Union(r.geom.Bound())
			}
		}
	}
	shpLen, shxLen := 100, 100+8*len(contents)
	for _, c := range contents {
		shpLen += 8 + len(c)
	}
	shp, err := os.Create(base + ".shp")
	if err != nil {
		return err
	}
	defer shp.Close()
	shx, err := os.Create(base + ".shx")
	if err != nil {
		return err
	}
	defer shx.Close()
	sw, xw := bufio.NewWriter(shp), bufio.NewWriter(shx)
	sw.Write(shpHeader(shpLen, typ, box))
	xw.Write(shpHeader(shxLen, typ, box))
	off := 100
	for i, c := range contents {
		var h [8]byte
		binary.BigEndian.PutUint32(h[0:], uint32(i+1))
		binary.BigEndian.PutUint32(h[4:], uint32(len(c)/2))
		sw.Write(h[:])
		sw.Write(c)
		binary.BigEndian.PutUint32(h[0:], uint32(off/2))
		xw.Write(h[:])
		off += 8 + len(c)
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := xw.Flush(); err != nil {
		return err
	}
	if err := shx.Close(); err != nil {
		return err
	}
	return shp.Close()
}

func shpHeader(length, typ int, b orb.Bound) []byte {
	h := make([]byte, 100)
	binary.BigEndian.PutUint32(h[0:], 9994)
	binary.BigEndian.PutUint32(h[24:], uint32(length/2))
	binary.LittleEndian.PutUint32(h[28:], 1000)
	binary.LittleEndian.PutUint32(h[32:], uint32(typ))
	for i, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		binary.LittleEndian.PutUint64(h[36+8*i:], math.Float64bits(v))
	}
	return h
}

// shpContent encodes one record's shape. Polygon exteriors are written clockwise and holes
// counter-clockwise, as the format requires.
func shpContent(typ int, g orb.Geometry) []byte {
	le := binary.LittleEndian
	put32 := func(b []byte, v int) []byte { return le.AppendUint32(b, uint32(v)) }
	putF := func(b []byte, v float64) []byte { return le.AppendUint64(b, math.Float64bits(v)) }
	b := put32(nil, typ)
	switch typ {
	case shpNull:
		return b
	case shpPoint:
		p := g.(orb.Point)
		return putF(putF(b, p[0]), p[1])
	}
	var parts [][]orb.Point
	switch g := g.(type) {
	case orb.LineString:
		parts = append(parts, g)
	case orb.MultiLineString:
		for _, l := range g {
			parts = append(parts, l)
		}
	case orb.Polygon:
		for i, r := range g {
			parts = append(parts, oriented(r, i > 0))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for i, r := range p {
				parts = append(parts, oriented(r, i > 0))
			}
		}
	}
	bb := g.Bound()
	for _, v := range []float64{bb.Min[0], bb.Min[1], bb.Max[0], bb.Max[1]} {
		b = putF(b, v)
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b = put32(put32(b, len(parts)), n)
	start := 0
	for _, p := range parts {
		b = put32(b, start)
		start += len(p)
	}
	for _, p := range parts {
		for _, pt := range p {
			b = putF(putF(b, pt[0]), pt[1])
		}
	}
	return b
}
