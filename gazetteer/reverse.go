package gazetteer

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Nearby is a feature near a reverse-geocoded point: its distance in metres and the direction
// of the point as seen from the feature (Tianditu's *_position: "在XX东北方向30米").
type Nearby struct {
	ID        string    `json:"id,omitempty"` // in the lists of ReverseWith: poi:12, road:建设路, area:440303001
	Name      string    `json:"name"`
	Point     orb.Point `json:"-"`
	Distance  float64   `json:"distance"`
	Direction string    `json:"direction"`
	Street    string    `json:"street,omitempty"`  // a 门牌's street: 和平東路三段228巷
	Number    string    `json:"number,omitempty"`  // a 门牌's number: 37号
	Address   string    `json:"address,omitempty"` // a POI's published address
	Category  string    `json:"category,omitempty"`
	Roads     []string  `json:"roads,omitempty"` // the two roads of a crossing
}

// Reverse is what a point is: its place, the nearest 门牌, road, road crossing and POI, and a
// formatted address and phrase; with ReverseWith, lists of the nearest POIs, roads and
// crossings too.
type Reverse struct {
	Place         Place    `json:"place"`
	House         *Nearby  `json:"house,omitempty"`
	Road          *Nearby  `json:"road,omitempty"`
	Intersection  *Nearby  `json:"intersection,omitempty"`
	POI           *Nearby  `json:"poi,omitempty"`
	POIs          []Nearby `json:"pois,omitempty"`
	Roads         []Nearby `json:"roads,omitempty"`
	Intersections []Nearby `json:"intersections,omitempty"`
	Formatted     string   `json:"formatted"`
	Phrase        string   `json:"phrase"` // 和平东路三段228巷37号东北方向30米
}

// ReverseQuery holds the options of ReverseWith: the search radius (DefaultRadius when zero)
// and how many of the nearest POIs, roads and crossings to list (none when zero).
type ReverseQuery struct {
	Radius                     float64
	POIs, Roads, Intersections int
	// Categories, when not empty, lists only POIs of these categories (AMap's poitype, by name).
	Categories []string
	// MainRoads lists only expressways and arterial roads (AMap's roadlevel=1).
	MainRoads bool
}

// DefaultRadius is the search radius of Reverse, in metres, when none is given (AMap's default).
const DefaultRadius = 1000

// houseRadius is how far a 门牌 may be to describe a point; past it the road does.
const houseRadius = 100

// Reverse describes a point (CGCS2000 lon/lat) with the features within radius metres.
func (ix *Index) Reverse(p orb.Point, radius float64) Reverse {
	return ix.ReverseWith(p, ReverseQuery{Radius: radius})
}

// ReverseWith describes a point like Reverse and lists the nearest POIs, roads and crossings
// within the radius as the query asks (AMap's regeo with extensions=all).
func (ix *Index) ReverseWith(p orb.Point, q ReverseQuery) Reverse {
	radius := q.Radius
	if radius <= 0 || math.IsNaN(radius) {
		radius = DefaultRadius
	}
	r := ix.reverse(p, radius)
	if q.POIs > 0 {
		var keep func(int32) bool
		if len(q.Categories) > 0 {
			keep = func(id int32) bool {
				src := ix.poiSrc(&ix.pois[id])
				return src != nil && slices.Contains(q.Categories, src.Category)
			}
		}
		for _, it := range ix.nearestPOIs(p, radius, q.POIs, keep) {
			po := &ix.pois[it.id]
			var n Nearby
			ix.near(&n, ix.poiDisplayName(po), po.point, p)
			n.ID = ix.poiID(po)
			if src := ix.poiSrc(po); src != nil {
				n.Address, n.Category = src.Address, src.Category
			}
			r.POIs = append(r.POIs, n)
		}
	}
	if q.Roads > 0 {
		items, pts := ix.nearestRoads(p, radius, q.Roads, q.MainRoads)
		for i, it := range items {
			var n Nearby
			ix.near(&n, ix.lines[it.id].label, pts[i], p)
			n.ID = "road:" + n.Name
			r.Roads = append(r.Roads, n)
		}
	}
	if q.Intersections > 0 {
		for _, it := range ix.nearestCrossings(p, radius, q.Intersections) {
			x := ix.cells.cross[it.id]
			var n Nearby
			ix.near(&n, x.name, x.point, p)
			n.Roads = []string{ix.roads[x.a].display, ix.roads[x.b].display}
			n.ID = "crossing:" + x.name
			r.Intersections = append(r.Intersections, n)
		}
	}
	return r
}

// reverse is Reverse's answer: the nearest of each kind.
// Reverse describes a point (CGCS2000 lon/lat) with the features within radius metres.
func (ix *Index) reverse(p orb.Point, radius float64) Reverse {
	var r Reverse
	buf := new([4]Nearby) // one allocation for the four answers
	if ix.opts.Locate != nil {
		r.Place = ix.opts.Locate(p)
	}
	if a, ok := ix.nearestAddr(p, min(radius, houseRadius)); ok {
		r.House = ix.near(&buf[0], addrLabel(ix, a), a.point, p)
		r.House.Street, r.House.Number = ix.streetOf(a).label, numberLabel(a.num, ix.suffix(a))
		if src := ix.srcOf(a); r.Place.Community.Code == "" && src != nil && src.Community != "" {
			ix.chain(&r.Place, src.Community)
		}
	}
	if name, q, _, ok := ix.nearestRoad(p, radius); ok {
		r.Road = ix.near(&buf[1], name, q, p)
	}
	if x, _, ok := ix.nearestCrossing(p, radius); ok {
		r.Intersection = ix.near(&buf[2], x.name, x.point, p)
	}
	if pi, _, ok := ix.nearestPOI(p, radius); ok {
		r.POI = ix.near(&buf[3], ix.poiDisplayName(&ix.pois[pi]), ix.pois[pi].point, p)
	}
	r.describe()
	return r
}

// describe sets the phrase and formatted address from the nearest features found.
func (r *Reverse) describe() {
	anchor := r.House
	if anchor == nil {
		anchor = r.POI
		if r.Road != nil && (anchor == nil || r.Road.Distance < anchor.Distance) {
			anchor = r.Road
		}
	}
	if anchor != nil {
		r.Phrase = phrase(anchor)
	}
	tail := ""
	if r.House != nil {
		tail = r.House.Name
	} else if r.Road != nil {
		tail = r.Road.Name
	}
	r.Formatted = r.Place.District.InAddress() + r.Place.Street.InAddress() + r.Place.Community.InAddress() + tail // one allocation
}

func (ix *Index) near(n *Nearby, name string, at, p orb.Point) *Nearby {
	d := ix.pl.Distance(at, p)
	dir := ""
	if d >= 0.5 {
		dir = direction(ix.pl.bearing(at, p))
	}
	*n = Nearby{Name: name, Point: at, Distance: math.Round(d*10) / 10, Direction: dir}
	return n
}

// phrase says "和平东路3段228巷37号东北方向30米", or only the name when the point is on it.
func phrase(n *Nearby) string {
	d := int(math.Round(n.Distance))
	if d < 1 || n.Direction == "" {
		return n.Name
	}
	return n.Name + n.Direction + "方向" + strconv.Itoa(d) + "米"
}

// addrLabel spells an indexed 门牌 from its street's label and its number.
func addrLabel(ix *Index, a *addr) string {
	var b strings.Builder
	b.Grow(48)
	b.WriteString(ix.streetOf(a).label)
	writeNumber(&b, a.num, ix.suffix(a))
	return b.String()
}

// numberLabel spells a house number: 17号, 甲17号, 12之3号, 7号之1.
func numberLabel(num int32, suffix string) string {
	var b strings.Builder
	writeNumber(&b, num, suffix)
	return b.String()
}

func writeNumber(b *strings.Builder, num int32, suffix string) {
	if strings.HasPrefix(suffix, "号") {
		b.WriteString(strconv.Itoa(int(num))) // 7号之1: a unit of 7号
		b.WriteString(suffix)
		return
	}
	after := strings.HasPrefix(suffix, "-") || strings.HasPrefix(suffix, "之")
	if !after {
		b.WriteString(suffix) // 甲, 附 go before the number
	}
	b.WriteString(strconv.Itoa(int(num)))
	if after {
		b.WriteString(suffix)
	}
	b.WriteString("号")
}

// poiID names a POI across dataset versions: its source id, or its name for a compound.
func (ix *Index) poiID(p *poi) string {
	if src := ix.poiSrc(p); src != nil {
		return "poi:" + strconv.FormatUint(src.ID, 10)
	}
	return "poi:" + ix.poiName(p)
}

// poiDisplayName is p's name as the data spells it, or its normalized name for a compound.
func (ix *Index) poiDisplayName(p *poi) string {
	if src := ix.poiSrc(p); src != nil {
		return src.Name
	}
	return ix.poiName(p)
}
