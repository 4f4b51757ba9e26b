package city

import (
	"math"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// Defaults and limits of a locate query (geo.NearestQuery): how many components and how far.
const (
	DefaultLocateK      = 5
	DefaultLocateRadius = 100.0 // metres
	MaxLocateK          = 100
	MaxLocateRadius     = 5000.0 // metres
)

// Located is the answer for one point: the area chain, the grid and the nearest components.
type Located struct {
	ID         string          `json:"id,omitempty"` // echoed from a batch item
	Version    int64           `json:"version"`
	CRS        geo.CRS         `json:"crs"`
	Point      LngLat          `json:"point"` // the point as given
	Outside    bool            `json:"outside"`
	Snapped    bool            `json:"snapped,omitempty"`
	SnapDist   float64         `json:"snap_distance_m,omitempty"`
	Grid       *GridRef        `json:"grid,omitempty"`
	Community  *data.AreaRef   `json:"community,omitempty"`
	Street     *data.AreaRef   `json:"street,omitempty"`
	District   *data.AreaRef   `json:"district,omitempty"`
	Components []NearComponent `json:"components"`
	Message    string          `json:"message,omitempty"`

	// What Grid and the area pointers point at when LocateInto filled this value, so that
	// locating into a reused Located allocates nothing.
	gridRef  GridRef
	areaRefs [3]data.AreaRef
	depts    []data.DeptRef // what the components' Department pointers point at
	// chain is the JSON of Community, Street and District that LocateInto found written
	// (Snapshot.chainJSON); nil: AppendJSON writes them field by field.
	chain []byte
}

// GridRef is a grid in an answer.
type GridRef struct {
	Code    string  `json:"code"`
	AreaM2  float64 `json:"area_m2"`
	Derived bool    `json:"derived,omitempty"`
}

// NearComponent is one of the nearest components of a located point.
type NearComponent struct {
	ID         string        `json:"id"`
	Class      string        `json:"class"`
	ClassName  string        `json:"class_name,omitempty"`
	Name       string        `json:"name"`
	Status     string        `json:"status"`
	Department *data.DeptRef `json:"department,omitempty"` // data.Component.Responsible
	DistanceM  float64       `json:"distance_m"`
	Bearing    float64       `json:"bearing"`
	Direction  string        `json:"direction"` // where the component lies as seen from the point
	Point      LngLat        `json:"point"`
}

// Locate answers where p (CGCS2000) is: its grid, area chain and the components q asks for.
// given is the point as the client sent it in crs, echoed in the answer. buf is reused for the
// neighbour search and returned for the next call (a batch passes it along).
func (s *Snapshot) Locate(given, p orb.Point, crs geo.CRS, q geo.NearestQuery, buf []geo.Neighbor) (Located, []geo.Neighbor) {
	loc := s.place(p)
	out := Located{Version: s.Version(), CRS: crs, Point: LngLat{Lng: given[0], Lat: given[1]}, Outside: loc.Outside,
		Snapped: loc.Snapped, SnapDist: RoundM(loc.SnapDistance), Components: []NearComponent{}}
	if loc.Outside {
		out.Message = "the point is outside the city's grids and areas"
	}
	if loc.Grid != nil {
		out.Grid = &GridRef{Code: loc.Grid.Code, AreaM2: RoundM(loc.Grid.AreaM2), Derived: loc.Grid.Derived}
	}
	out.Community, out.Street, out.District = loc.Community.Ref(), loc.Street.Ref(), loc.District.Ref()
	if q.K > 0 {
		buf = s.Nearest(p, q, buf[:0])
		for _, n := range buf {
			out.Components = append(out.Components, nearComponent(n, crs, new(data.DeptRef)))
		}
	}
	return out, buf
}

// nearComponent is n as an answer names it; dept, when not nil, receives the responsible
// department, which the answer then points at (nil: LocateInto places it itself).
func nearComponent(n geo.Neighbor, crs geo.CRS, dept *data.DeptRef) NearComponent {
	c := n.Component
	nc := NearComponent{ID: c.ID, Class: c.Class(), Name: c.Name, Status: c.Status.String(),
		DistanceM: RoundM(n.Distance), Bearing: math.Round(n.Bearing), Direction: geo.Direction(n.Bearing)}
	if cl, ok := data.CatalogFor(c.Scheme).Class(c.Class()); ok {
		nc.ClassName = cl.Name
	}
	if dept != nil {
		if d, _, ok := c.Responsible(); ok {
			*dept = d
			nc.Department = dept
		}
	}
	switch {
	case n.Own:
		nc.Point = PointIn(n.At, crs)
	case c.Geometry != nil:
		nc.Point = PointIn(data.Anchor(c.Geometry), crs)
	}
	return nc
}
