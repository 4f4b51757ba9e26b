package mvtcheck

const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// StrictBuffer is the clip buffer citygeo tiles stay within, in tile units.
const StrictBuffer = 64

func unzig(v uint32) int64 { return int64(int32(v>>1) ^ -int32(v&1)) }

// geometry decodes a command stream for a POINT, LINESTRING or POLYGON feature.
func (c *checker) geometry(typ int, g []uint32, version int) ([][]Point, bool) {
	var parts [][]Point
	var x, y int64
	i := 0
	// params reads n coordinate pairs after checking that they exist, so a huge count in a
	// short stream is rejected before anything is allocated.
	params := func(n int) ([]Point, bool) {
		if n < 0 || n > (len(g)-i)/2 {
			c.add(true, "command count %d exceeds the %d parameters left", n, len(g)-i)
			return nil, false
		}
		pts := make([]Point, n)
		for k := range pts {
			x += unzig(g[i])
			y += unzig(g[i+1])
			i += 2
			pts[k] = Point{x, y}
		}
		return pts, true
	}
	next := func() (id, count int, ok bool) {
		if i >= len(g) {
			return 0, 0, false
		}
		id, count = int(g[i]&7), int(g[i]>>3)
		i++
		return id, count, true
	}
	// moveLine reads the MoveTo(1) + LineTo(n ≥ 1) that opens every line part and ring.
	moveLine := func(what string) ([]Point, bool) {
		id, n, _ := next()
		if id != cmdMoveTo || n != 1 {
			c.add(true, "%s must start with MoveTo(1), got command %d count %d", what, id, n)
			return nil, false
		}
		start, ok := params(1)
		if !ok {
			return nil, false
		}
		id, n, ok = next()
		if !ok || id != cmdLineTo || n == 0 {
			c.add(true, "%s MoveTo must be followed by LineTo(count ≥ 1), got command %d count %d", what, id, n)
			return nil, false
		}
		rest, ok := params(n)
		if !ok {
			return nil, false
		}
		return append(start, rest...), true
	}
	switch typ {
	case 1:
		id, n, ok := next()
		if !ok || id != cmdMoveTo {
			c.add(true, "point geometry must start with MoveTo (got command %d)", id)
			return nil, false
		}
		if n == 0 {
			c.add(true, "point MoveTo with count 0")
			return nil, false
		}
		pts, ok := params(n)
		if !ok {
			return nil, false
		}
		if i != len(g) {
			c.add(true, "point geometry has %d values after its MoveTo", len(g)-i)
			return nil, false
		}
		return [][]Point{pts}, true
	case 2:
		for i < len(g) {
			part, ok := moveLine("line part")
			if !ok {
				return nil, false
			}
			for k := 1; k < len(part); k++ {
				if part[k] == part[k-1] {
					c.add(false, "zero-length line segment at vertex %d", k)
				}
			}
			parts = append(parts, part)
		}
		return parts, len(parts) > 0
	case 3:
		exterior := false
		for i < len(g) {
			ring, ok := moveLine("ring")
			if !ok {
				return nil, false
			}
			id, n, ok := next()
			if !ok || id != cmdClosePath {
				c.add(true, "ring does not end with ClosePath (got command %d)", id)
				return nil, false
			}
			if n != 1 {
				c.add(true, "ClosePath count %d, want 1", n)
				return nil, false
			}
			a := area2(ring)
			switch {
			case len(ring) < 3:
				c.add(false, "ring with %d vertices", len(ring))
			case a == 0:
				c.add(false, "ring with zero area")
			case !exterior && a < 0 && version >= 2:
				c.add(false, "polygon starts with an interior ring (negative area)")
			}
			if a > 0 {
				exterior = true
			}
			parts = append(parts, ring)
		}
		return parts, len(parts) > 0
	}
	return nil, false
}

// area2 is twice the signed shoelace area in tile coordinates (y down): positive for an
// exterior ring under the MVT 2 winding rule.
func area2(r []Point) int64 {
	var a int64
	for k := range r {
		j := (k + 1) % len(r)
		a += r[k].X*r[j].Y - r[j].X*r[k].Y
	}
	return a
}

// strictGeometry checks what citygeo promises beyond the spec.
func (c *checker) strictGeometry(f Feature, extent int) {
	lo, hi := int64(-StrictBuffer), int64(extent+StrictBuffer)
	for _, p := range f.Parts {
		for _, q := range p {
			if q.X < lo || q.X > hi || q.Y < lo || q.Y > hi {
				c.add(false, "vertex (%d,%d) outside the buffered tile", q.X, q.Y)
				return
			}
		}
	}
	switch f.Type {
	case 1:
		if len(f.Parts) != 1 || len(f.Parts[0]) == 0 {
			c.add(false, "point feature without points")
		}
	case 2:
		for k, p := range f.Parts {
			if len(p) < 2 {
				c.add(false, "line part %d has %d vertices", k, len(p))
			}
		}
	case 3:
		for k, r := range f.Parts {
			for j := 1; j < len(r); j++ {
				if r[j] == r[j-1] {
					c.add(false, "ring %d repeats vertex %d", k, j)
				}
			}
			if len(r) > 1 && r[0] == r[len(r)-1] {
				c.add(false, "ring %d repeats its first point (ClosePath closes it)", k)
			}
		}
		for k, r := range f.Parts {
			if i, j, ok := selfCrossing(r); ok {
				c.add(false, "ring %d crosses itself (edges %d and %d)", k, i, j)
			}
		}
		if len(f.Parts) > 0 && area2(f.Parts[0]) <= 0 {
			c.add(false, "first ring is not an exterior (area must be positive)")
		}
	}
}

// maxCrossCheck bounds the quadratic self-crossing test to rings a tile can reasonably hold.
const maxCrossCheck = 4000

// selfCrossing finds two non-adjacent edges of a closed ring that properly cross (meet at a
// point inside both, not collinear). Touching and collinear overlaps are not reported.
func selfCrossing(r []Point) (int, int, bool) {
	n := len(r)
	if n < 4 || n > maxCrossCheck {
		return 0, 0, false
	}
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // adjacent through the closing edge
			}
			c, d := r[j], r[(j+1)%n]
			if properCross(a, b, c, d) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func orient(a, b, c Point) int64 {
	v := (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func properCross(a, b, c, d Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	return o1*o2 < 0 && o3*o4 < 0
}
