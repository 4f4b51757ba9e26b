package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// synthOptions shapes a synthetic city: nx × ny unit grids of ~100 m on a jittered lattice
// (quadrilaterals that tile exactly, so neighbours share edges), 10 × 10 grids per community,
// 80 × 80 per street, one district; a fraction of grids dropped to leave gaps.
type synthOptions struct {
	NX, NY     int
	Drop       float64 // fraction of grids left out
	Dense      float64 // fraction of grids given 20 vertices a side, band-indexed off Locate's fast path
	Components int
	Seed       uint64
}

// synthClasses are the classes components are drawn from, common ones repeated.
var synthClasses = []string{"0118", "0118", "0118", "0101", "0102", "0103", "0103", "0105", "0117", "0117",
	"0205", "0209", "0211", "0213", "0305", "0305", "0307", "0402", "0402", "0402", "0501", "0602"}

func synthCity(o synthOptions) *data.Dataset {
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	const lon0, lat0 = 114.0, 22.5
	dlat := 100 / (6371008.8 * math.Pi / 180)
	dlon := dlat / math.Cos(lat0*math.Pi/180)
	vx := make([]orb.Point, (o.NX+1)*(o.NY+1))
	for j := 0; j <= o.NY; j++ {
		for i := 0; i <= o.NX; i++ {
			jx, jy := 0.0, 0.0
			if i > 0 && i < o.NX && j > 0 && j < o.NY {
				jx, jy = (rng.Float64()-0.5)*0.4*dlon, (rng.Float64()-0.5)*0.4*dlat
			}
			vx[j*(o.NX+1)+i] = orb.Point{lon0 + float64(i)*dlon + jx, lat0 + float64(j)*dlat + jy}
		}
	}
	v := func(i, j int) orb.Point { return vx[j*(o.NX+1)+i] }
	// block returns the ring around cells [i0,i1)×[j0,j1), counter-clockwise along the lattice
	block := func(i0, j0, i1, j1 int) orb.Ring {
		var r orb.Ring
		for i := i0; i < i1; i++ {
			r = append(r, v(i, j0))
		}
		for j := j0; j < j1; j++ {
			r = append(r, v(i1, j))
		}
		for i := i1; i > i0; i-- {
			r = append(r, v(i, j1))
		}
		for j := j1; j > j0; j-- {
			r = append(r, v(i0, j))
		}
		return append(r, r[0])
	}
	ds := &data.Dataset{Name: "synthetic", Source: "test"}
	ds.Areas = append(ds.Areas, &data.Area{Code: "440303", Name: "区", Level: data.District,
		Polygon: orb.MultiPolygon{{block(0, 0, o.NX, o.NY)}}})
	const cb, sb = 10, 80 // community and street block sizes in grids
	spx := (o.NX + sb - 1) / sb
	cpx := (o.NX + cb - 1) / cb
	streetCode := func(i, j int) string { return fmt.Sprintf("440303%03d", (j/sb)*spx+i/sb+1) }
	commCode := func(i, j int) string {
		// community number inside its street
		si, sj := i/sb*sb, j/sb*sb
		n := ((j-sj)/cb)*(sb/cb) + (i-si)/cb + 1
		return fmt.Sprintf("%s%03d", streetCode(i, j), n)
	}
	_ = cpx
	for j := 0; j < o.NY; j += sb {
		for i := 0; i < o.NX; i += sb {
			ds.Areas = append(ds.Areas, &data.Area{Code: streetCode(i, j), Level: data.Street, Parent: "440303",
				Polygon: orb.MultiPolygon{{block(i, j, min(i+sb, o.NX), min(j+sb, o.NY))}}})
		}
	}
	for j := 0; j < o.NY; j += cb {
		for i := 0; i < o.NX; i += cb {
			ds.Areas = append(ds.Areas, &data.Area{Code: commCode(i, j), Level: data.Community, Parent: streetCode(i, j),
				Polygon: orb.MultiPolygon{{block(i, j, min(i+cb, o.NX), min(j+cb, o.NY))}}})
		}
	}
	for j := 0; j < o.NY; j++ {
		for i := 0; i < o.NX; i++ {
			if rng.Float64() < o.Drop {
				continue
			}
			c := commCode(i, j)
			seq := (j%cb)*cb + i%cb + 1
			ring := block(i, j, i+1, j+1)
			if o.Dense > 0 && rng.Float64() < o.Dense {
				ring = densify(ring, 20)
			}
			ds.Grids = append(ds.Grids, &data.Grid{Code: fmt.Sprintf("%s%03d", c, seq), Community: c,
				Polygon: orb.Polygon{ring}})
		}
	}
	seq := map[string]int{}
	w, h := float64(o.NX)*dlon, float64(o.NY)*dlat
	ds.Components = make([]*data.Component, 0, o.Components)
	for n := 0; n < o.Components; n++ {
		cl := synthClasses[rng.IntN(len(synthClasses))]
		seq[cl]++
		p := orb.Point{lon0 + rng.Float64()*w, lat0 + rng.Float64()*h}
		var g orb.Geometry = p
		switch k := rng.IntN(100); {
		case k < 5: // a rail or a hedge: a short line
			g = orb.LineString{p, {p[0] + (rng.Float64()-0.5)*dlon, p[1] + (rng.Float64()-0.5)*dlat}, {p[0] + (rng.Float64()-0.5)*dlon, p[1] + rng.Float64()*dlat}}
		case k < 7: // a green or a car park: a small polygon
			g = orb.Polygon{{p, {p[0] + dlon/4, p[1]}, {p[0] + dlon/4, p[1] + dlat/5}, {p[0], p[1] + dlat/5}, p}}
		}
		ds.Components = append(ds.Components, &data.Component{
			ID: fmt.Sprintf("440303%s%06d", cl, seq[cl]), Scheme: data.CJT214, Major: cl[:2], Minor: cl[2:], Geometry: g,
		})
	}
	return ds
}

// densify returns the closed ring r with each edge cut into n pieces: the same shape, still
// tiling with its neighbours, with more vertices than a ring scanned without a band index.
func densify(r orb.Ring, n int) orb.Ring {
	out := make(orb.Ring, 0, (len(r)-1)*n+1)
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		for k := 0; k < n; k++ {
			t := float64(k) / float64(n)
			out = append(out, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		}
	}
	return append(out, out[0])
}
