package duty

import (
	"math"
	"slices"

	"citygeo/data"
)

// MaxCoverageItems is the most grids or roads a coverage list holds; Truncated says when more
// were cut.
const MaxCoverageItems = 1000

// Coverage is where a roster leaves the city uncovered: grids that no 监督员 is ever on duty
// for (or only part of the week), and main roads with no duty segment anyone is assigned to.
type Coverage struct {
	Grids        int       `json:"grids"`
	Supervised   int       `json:"supervised"`   // grids with a 监督员 at some time of the week
	Unsupervised []string  `json:"unsupervised"` // grid codes, in dataset order
	PartTime     []GridGap `json:"part_time"`    // grids whose 监督员 leave hours of the week open
	MainRoads    int       `json:"main_roads"`   // roads (by name) of the main classes
	RoadsWithout []RoadGap `json:"roads_without_segment"`
	Truncated    bool      `json:"truncated,omitempty"`
}

// GridGap is a grid with a 监督员 for only part of the week.
type GridGap struct {
	Grid      string  `json:"grid"`
	OpenHours float64 `json:"open_hours"` // hours of the week no 监督员 is on duty
}

// RoadGap is a main road with no duty segment.
type RoadGap struct {
	Name    string         `json:"name"`
	Class   data.RoadClass `json:"class"`
	LengthM float64        `json:"length_m"`
}

// Coverage reports the gaps of the roster over the index's dataset.
func (ix *Index) Coverage() Coverage {
	c := Coverage{Grids: len(ix.ds.Grids), Unsupervised: []string{}, PartTime: []GridGap{}, RoadsWithout: []RoadGap{}}
	keep := func(n int) bool {
		if n >= MaxCoverageItems {
			c.Truncated = true
			return false
		}
		return true
	}
	var w week
	for gi, g := range ix.ds.Grids {
		w = week{}
		any := false
		add := func(list []*assign) {
			for _, a := range list {
				if a.a.Post == data.PostSupervisor {
					w.or(a.week)
					any = true
				}
			}
		}
		add(ix.gridAsg[gi])
		for _, zi := range ix.gridZn[gi] {
			add(ix.zones[zi].asg)
		}
		for _, list := range ix.comAsg[ix.gridCom[gi]] {
			add(list)
		}
		switch {
		case !any:
			if keep(len(c.Unsupervised)) {
				c.Unsupervised = append(c.Unsupervised, g.Code)
			}
		case w != *allWeek:
			c.Supervised++
			if keep(len(c.PartTime)) {
				c.PartTime = append(c.PartTime, GridGap{Grid: g.Code, OpenHours: math.Round((168-w.hours())*10) / 10})
			}
		default:
			c.Supervised++
		}
	}
	covered := map[string]bool{}
	for i, s := range ix.segs {
		if len(ix.segAsg[i]) > 0 {
			covered[s.RoadName] = true
		}
	}
	type road struct {
		class  data.RoadClass
		length float64
	}
	main := map[string]*road{}
	var names []string
	for _, r := range ix.ds.Roads {
		if !slices.Contains(ix.opts.MainRoads, r.Class) {
			continue
		}
		rd := main[r.Name]
		if rd == nil {
			rd = &road{class: r.Class}
			main[r.Name] = rd
			names = append(names, r.Name)
		}
		for i := 1; i < len(r.Line); i++ {
			rd.length += ix.pl.Distance(r.Line[i-1], r.Line[i])
		}
	}
	c.MainRoads = len(names)
	for _, n := range names {
		if !covered[n] && keep(len(c.RoadsWithout)) {
			c.RoadsWithout = append(c.RoadsWithout, RoadGap{Name: n, Class: main[n].class, LengthM: math.Round(main[n].length)})
		}
	}
	return c
}
