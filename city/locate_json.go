package city

import (
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/geo"
	"citygeo/internal/jsonenc"
)

// LocateInto is Locate writing into out, which a caller reuses from point to point (a batch,
// a pooled request): the grid and area references point into out itself and its components
// slice is reused, so locating a point allocates nothing when q asks for no components.
// out's previous contents are overwritten, ID included; its references are valid until out is
// reused.
func (s *Snapshot) LocateInto(out *Located, given, p orb.Point, crs geo.CRS, q geo.NearestQuery, buf []geo.Neighbor) []geo.Neighbor {
	return s.locatedInto(out, s.place(p), given, p, crs, q, buf)
}

// locatedInto is LocateInto's answer for p from where it is (place).
func (s *Snapshot) locatedInto(out *Located, loc geo.Location, given, p orb.Point, crs geo.CRS, q geo.NearestQuery, buf []geo.Neighbor) []geo.Neighbor {
	comps := out.Components[:0]
	if comps == nil {
		comps = []NearComponent{}
	}
	*out = Located{Version: s.Version(), CRS: crs, Point: LngLat{Lng: given[0], Lat: given[1]}, Outside: loc.Outside,
		Snapped: loc.Snapped, SnapDist: RoundM(loc.SnapDistance), Components: comps,
		gridRef: GridRef{}, areaRefs: [3]data.AreaRef{}, depts: out.depts[:0]}
	if loc.Outside {
		out.Message = "the point is outside the city's grids and areas"
	}
	if g := loc.Grid; g != nil {
		out.gridRef = GridRef{Code: g.Code, AreaM2: RoundM(g.AreaM2), Derived: g.Derived}
		out.Grid = &out.gridRef
	}
	for i, a := range [3]*data.Area{loc.Community, loc.Street, loc.District} {
		if a == nil {
			continue
		}
		out.areaRefs[i] = data.AreaRef{Code: a.Code, Name: a.Name}
		switch i {
		case 0:
			out.Community = &out.areaRefs[i]
		case 1:
			out.Street = &out.areaRefs[i]
		case 2:
			out.District = &out.areaRefs[i]
		}
	}
	out.chain = s.chainJSON(loc.Community, loc.Street, loc.District)
	if q.K > 0 {
		buf = s.Nearest(p, q, buf[:0])
		for _, n := range buf {
			nc := nearComponent(n, crs, nil)
			if d, _, ok := n.Component.Responsible(); ok {
				// The department lives in out, as the grid does: a pointer to a fresh
				// DeptRef would cost an allocation per component. A grown slice leaves the
				// earlier pointers on the old array, which keeps their values.
				out.depts = append(out.depts, d)
				nc.Department = &out.depts[len(out.depts)-1]
			}
			out.Components = append(out.Components, nc)
		}
	}
	return buf
}

// AppendJSON appends l as encoding/json marshals it, byte for byte (TestLocatedAppendJSON),
// without reflection or allocation: the answer of the locate routes, single and batch, is
// written this way (see package jsonenc for why).
func (l *Located) AppendJSON(b []byte) []byte { return appendLocated(b, l, l.ID) }

// AppendJSONWithID is AppendJSON with id in place of l.ID, so a batch echoes each point's id
// from the request's bytes without making a string of it.
func (l *Located) AppendJSONWithID(b, id []byte) []byte { return appendLocated(b, l, id) }

func appendLocated[S string | []byte](b []byte, l *Located, id S) []byte {
	b = append(b, '{')
	if len(id) != 0 {
		b = append(b, `"id":`...)
		b = jsonenc.AppendString(b, id)
		b = append(b, ',')
	}
	b = append(b, `"version":`...)
	b = jsonenc.AppendInt(b, l.Version)
	b = append(b, `,"crs":`...)
	b = jsonenc.AppendString(b, l.CRS.String())
	b = append(b, `,"point":`...)
	b = l.Point.appendJSON(b)
	b = append(b, `,"outside":`...)
	b = jsonenc.AppendBool(b, l.Outside)
	if l.Snapped {
		b = append(b, `,"snapped":true`...)
	}
	if l.SnapDist != 0 {
		b = append(b, `,"snap_distance_m":`...)
		b = jsonenc.AppendTenths(b, l.SnapDist)
	}
	if g := l.Grid; g != nil {
		b = append(b, `,"grid":{"code":`...)
		b = jsonenc.AppendString(b, g.Code)
		b = append(b, `,"area_m2":`...)
		b = jsonenc.AppendTenths(b, g.AreaM2)
		if g.Derived {
			b = append(b, `,"derived":true`...)
		}
		b = append(b, '}')
	}
	if l.chain != nil {
		b = append(b, l.chain...)
	} else {
		b = appendChain(b, l.Community, l.Street, l.District)
	}
	b = append(b, `,"components":`...)
	if l.Components == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Components {
			if i > 0 {
				b = append(b, ',')
			}
			b = l.Components[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if l.Message != "" {
		b = append(b, `,"message":`...)
		b = jsonenc.AppendString(b, l.Message)
	}
	return append(b, '}')
}

// appendChain appends the areas of an answer, those that are not nil.
func appendChain(b []byte, community, street, district *data.AreaRef) []byte {
	b = appendAreaRef(b, `,"community":`, community)
	b = appendAreaRef(b, `,"street":`, street)
	return appendAreaRef(b, `,"district":`, district)
}

func appendAreaRef(b []byte, key string, a *data.AreaRef) []byte {
	if a == nil {
		return b
	}
	b = append(b, key...)
	b = append(b, `{"code":`...)
	b = jsonenc.AppendString(b, a.Code)
	b = append(b, `,"name":`...)
	b = jsonenc.AppendString(b, a.Name)
	return append(b, '}')
}

func (p LngLat) appendJSON(b []byte) []byte {
	b = append(b, `{"lng":`...)
	b = jsonenc.AppendFloat(b, p.Lng)
	b = append(b, `,"lat":`...)
	b = jsonenc.AppendFloat(b, p.Lat)
	return append(b, '}')
}

func (n *NearComponent) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, n.ID)
	b = append(b, `,"class":`...)
	b = jsonenc.AppendString(b, n.Class)
	if n.ClassName != "" {
		b = append(b, `,"class_name":`...)
		b = jsonenc.AppendString(b, n.ClassName)
	}
	b = append(b, `,"name":`...)
	b = jsonenc.AppendString(b, n.Name)
	b = append(b, `,"status":`...)
	b = jsonenc.AppendString(b, n.Status)
	if d := n.Department; d != nil {
		b = append(b, `,"department":{`...)
		sep := ""
		if d.Code != "" {
			b = append(b, `"code":`...)
			b = jsonenc.AppendString(b, d.Code)
			sep = ","
		}
		if d.Name != "" {
			b = append(b, sep...)
			b = append(b, `"name":`...)
			b = jsonenc.AppendString(b, d.Name)
		}
		b = append(b, '}')
	}
	b = append(b, `,"distance_m":`...)
	b = jsonenc.AppendTenths(b, n.DistanceM)
	b = append(b, `,"bearing":`...)
	b = jsonenc.AppendFloat(b, n.Bearing)
	b = append(b, `,"direction":`...)
	b = jsonenc.AppendString(b, n.Direction)
	b = append(b, `,"point":`...)
	b = n.Point.appendJSON(b)
	return append(b, '}')
}
