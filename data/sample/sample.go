package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"citygeo/data"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Defaults of Options: the zero value generates the default sample city.
const (
	DefaultGrids             = 4500
	DefaultComponentsPerGrid = 20
	DefaultAddressesPerGrid  = 2
	// MaxGrids is the most grids Generate makes: a grid sequence has 3 digits, so no community
	// may hold more than 999 grids, and the 109 communities share the cells about evenly.
	MaxGrids = 100000
	// MinGrids is the fewest grids Generate makes: every community needs a few cells.
	MinGrids = 500
)

// Options says what sample city to generate. The zero value is the default sample.
type Options struct {
	Grids      int         // number of unit grids, about; 0 = DefaultGrids
	Components int         // number of components, about; 0 = DefaultComponentsPerGrid per grid
	Addresses  int         // number of house numbers, about; 0 = DefaultAddressesPerGrid per grid
	Scheme     data.Scheme // component id scheme; "" = data.CJT214 (16 digits)
	Seed       int64       // varies the synthetic layout; the same seed gives the same city
}

// createdAt is fixed so that the dataset is byte-identical run to run.
var createdAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate builds the sample city. The grids tile the communities, the communities the streets
// and the streets the district, all sharing one set of warped lattice vertices.
func Generate(opts Options) (*data.Dataset, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &gen{opts: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x6c756f6875))}
	ds := &data.Dataset{Version: 1, Name: "深圳市罗湖区（示例）", CreatedAt: createdAt, Source: "sample"}
	if err := g.areas(ds); err != nil {
		return nil, err
	}
	g.roads(ds)
	if err := g.components(ds); err != nil {
		return nil, err
	}
	g.addresses(ds)
	g.buildings(ds)
	g.pois(ds)
	return ds, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Grids == 0 {
		o.Grids = DefaultGrids
	}
	if o.Grids < MinGrids || o.Grids > MaxGrids {
		return o, fmt.Errorf("sample options: Grids %d: want %d to %d (a grid sequence has 3 digits, at most 999 grids per community)", o.Grids, MinGrids, MaxGrids)
	}
	if o.Components == 0 {
		o.Components = DefaultComponentsPerGrid * o.Grids
	}
	if o.Components < 0 {
		return o, fmt.Errorf("sample options: Components %d: want ≥ 0", o.Components)
	}
	if o.Addresses == 0 {
		o.Addresses = DefaultAddressesPerGrid * o.Grids
	}
	if o.Addresses < 0 {
		return o, fmt.Errorf("sample options: Addresses %d: want ≥ 0", o.Addresses)
	}
	switch o.Scheme {
	case 0:
		o.Scheme = data.CJT214
	case data.CJT214, data.GBT4767:
	default:
		return o, fmt.Errorf("sample options: Scheme %q: want %q or %q", o.Scheme, data.CJT214, data.GBT4767)
	}
	return o, nil
}

// gen carries the state of one generation.
type gen struct {
	opts Options
	rng  *rand.Rand
	lat  *lattice
	// cellGrid maps a cell (j*cols+i) to its index in ds.Grids.
	cellGrid []int32
	grids    []*data.Grid
	comms    []*data.Area // communities in table order
	commOf   []int32      // grid index → community index
	commRect []rect
	streets  []*data.Area

	roadList []roadLine

	addrs     []*data.Address
	addrNorm  []orb.Point // unit normal (local metres) pointing away from the road, per address
	addrClass []data.RoadClass
	addrComm  []int32
}

// areas lays out the lattice, partitions it into streets and communities, and makes the grids.
func (g *gen) areas(ds *data.Dataset) error {
	cols := int(math.Round(math.Sqrt(float64(g.opts.Grids) * 1.4)))
	rows := int(math.Round(float64(g.opts.Grids) / float64(cols)))
	g.lat = newLattice(cols, rows, g.rng)
	l := g.lat

	// Community weights vary by up to ±25 %, less when the cells per community approach the
	// 999-grid limit of a 3-digit sequence.
	var ncomm int
	for _, s := range luohu {
		ncomm += len(s.communities)
	}
	avg := float64(cols*rows) / float64(ncomm)
	jitter := min(0.25, max(0, 900/avg-1))
	var sw []float64
	var cw [][]float64
	for _, s := range luohu {
		var ws []float64
		var sum float64
		for range s.communities {
			w := 1 + jitter*(2*g.rng.Float64()-1)
			ws = append(ws, w)
			sum += w
		}
		cw = append(cw, ws)
		sw = append(sw, sum)
	}
	all := rect{0, 0, cols, rows}
	district := &data.Area{Code: districtCode, Name: districtName, Level: data.District,
		Polygon: orb.MultiPolygon{{l.outline(all)}}, Label: toLonLat(l.cellCentreXY(cols/2, rows/2))}
	ds.Areas = append(ds.Areas, district)

	g.cellGrid = make([]int32, cols*rows)
	for si, sr := range bisect(all, sw) {
		s := luohu[si]
		if sr.cells() == 0 {
			return fmt.Errorf("sample: street %s got no cells; raise Grids", s.code)
		}
		st := &data.Area{Code: s.code, Name: s.name, Level: data.Street, Parent: districtCode,
			Polygon: orb.MultiPolygon{{l.outline(sr)}}, Label: rectLabel(l, sr)}
		ds.Areas = append(ds.Areas, st)
		g.streets = append(g.streets, st)
		for ci, cr := range bisect(sr, cw[si]) {
			c := s.communities[ci]
			n := cr.cells()
			if n == 0 {
				return fmt.Errorf("sample: community %s got no cells; raise Grids", c.code)
			}
			if n > 999 {
				return fmt.Errorf("sample: community %s needs %d grids, more than a 3-digit sequence holds; lower Grids", c.code, n)
			}
			ca := &data.Area{Code: c.code, Name: c.name, Level: data.Community, Parent: s.code,
				Polygon: orb.MultiPolygon{{l.outline(cr)}}, Label: rectLabel(l, cr)}
			ds.Areas = append(ds.Areas, ca)
			ci32 := int32(len(g.comms))
			g.comms = append(g.comms, ca)
			g.commRect = append(g.commRect, cr)
			// Sequence west → east, north → south (DB11/T 2157 practice).
			seq := 0
			for j := cr.r0; j < cr.r1; j++ {
				for i := cr.c0; i < cr.c1; i++ {
					seq++
					poly := orb.Polygon{l.cell(i, j)}
					gr := &data.Grid{Code: fmt.Sprintf("%s%03d", c.code, seq), Community: c.code,
						Polygon: poly, AreaM2: orbgeo.Area(poly)}
					g.cellGrid[j*cols+i] = int32(len(g.grids))
					g.grids = append(g.grids, gr)
					g.commOf = append(g.commOf, ci32)
				}
			}
		}
	}
	ds.Grids = g.grids
	return nil
}

// rectLabel is the centre of the middle cell of r: always inside r.
func rectLabel(l *lattice, r rect) orb.Point {
	return toLonLat(l.cellCentreXY((r.c0+r.c1)/2, (r.r0+r.r1)/2))
}
