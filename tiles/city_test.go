package tiles_test

import (
	"fmt"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// testCity builds a small synthetic city around 罗湖 for tests: one district split into two
// streets, each into communities holding rows of ~100 m grids, components of every geometry
// kind and roads of every class. Rings are written counter-clockwise (RFC 7946) and one
// community has a hole, so winding and hole handling are exercised.
func testCity(cols, rows int) *data.Dataset {
	const (
		lon0, lat0 = 114.10, 22.53
		dLon, dLat = 0.00097, 0.0009 // ~100 m
	)
	cell := func(i, j int) orb.Polygon {
		x0, y0 := lon0+float64(i)*dLon, lat0+float64(j)*dLat
		x1, y1 := x0+dLon, y0+dLat
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	rect := func(i0, j0, i1, j1 int) orb.Polygon {
		x0, y0 := lon0+float64(i0)*dLon, lat0+float64(j0)*dLat
		x1, y1 := lon0+float64(i1)*dLon, lat0+float64(j1)*dLat
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	ds := &data.Dataset{Version: 7, Name: "test city", Source: "test"}
	district := &data.Area{Code: "440303", Name: "罗湖区", Level: data.District,
		Polygon: orb.MultiPolygon{rect(0, 0, cols, rows)}, Label: orb.Point{lon0 + float64(cols)/2*dLon, lat0 + float64(rows)/2*dLat}}
	ds.Areas = append(ds.Areas, district)
	half := cols / 2
	for s := 0; s < 2; s++ {
		i0, i1 := s*half, (s+1)*half
		if s == 1 {
			i1 = cols
		}
		st := &data.Area{Code: fmt.Sprintf("4403030%02d", s+1), Name: fmt.Sprintf("街道%d", s+1), Level: data.Street,
			Parent: district.Code, Polygon: orb.MultiPolygon{rect(i0, 0, i1, rows)}}
		ds.Areas = append(ds.Areas, st)
		comm := &data.Area{Code: st.Code + "001", Name: fmt.Sprintf("社区%d", s+1), Level: data.Community,
			Parent: st.Code, Polygon: orb.MultiPolygon{rect(i0, 0, i1, rows)}}
		if s == 0 && i1-i0 > 4 && rows > 4 {
			hole := rect(i0+1, 1, i0+2, 2)[0]
			hole.Reverse() // holes clockwise in RFC 7946
			comm.Polygon[0] = append(comm.Polygon[0], hole)
		}
		ds.Areas = append(ds.Areas, comm)
		seq := 0
		for i := i0; i < i1; i++ {
			for j := 0; j < rows; j++ {
				seq++
				g := &data.Grid{Code: fmt.Sprintf("%s%03d", comm.Code, seq%1000), Community: comm.Code,
					Polygon: cell(i, j), AreaM2: 10000}
				ds.Grids = append(ds.Grids, g)
			}
		}
	}
	majors := []string{"01", "02", "03", "04", "05"}
	n := 0
	for i := 0; i < cols; i++ {
		for j := 0; j < rows; j++ {
			for k := 0; k < 3; k++ {
				n++
				p := orb.Point{lon0 + (float64(i)+0.2+0.3*float64(k))*dLon, lat0 + (float64(j)+0.5)*dLat}
				var g orb.Geometry = p
				switch n % 10 {
				case 7:
					g = orb.LineString{p, {p[0] + dLon/4, p[1]}}
				case 9:
					g = orb.Polygon{{p, {p[0] + dLon/5, p[1]}, {p[0] + dLon/5, p[1] + dLat/5}, p}}
				}
				m := majors[n%len(majors)]
				ds.Components = append(ds.Components, &data.Component{
					ID: fmt.Sprintf("440303%s01%06d", m, n), Scheme: data.CJT214, Major: m, Minor: "01",
					Status: data.StatusIntact, Owner: data.MakeDept("", "罗湖区城管局"), Geometry: g,
				})
			}
		}
	}
	classes := []data.RoadClass{data.RoadExpressway, data.RoadArterial, data.RoadSecondary, data.RoadBranch}
	for j := 0; j <= rows; j += 2 {
		y := lat0 + float64(j)*dLat
		ds.Roads = append(ds.Roads, &data.Road{ID: uint64(j + 1), Name: fmt.Sprintf("路%d", j), Class: classes[j/2%4],
			Line: orb.LineString{{lon0, y}, {lon0 + float64(cols)*dLon/2, y + dLat/3}, {lon0 + float64(cols)*dLon, y}}})
	}
	return ds
}
