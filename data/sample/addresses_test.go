package sample_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// sideAndAlong projects p on line: the distance along it to the foot, and the side (+1 left,
// -1 right of the line's direction).
func sideAndAlong(line orb.LineString, p orb.Point) (side int, along float64) {
	best, acc := math.Inf(1), 0.0
	for k := 1; k < len(line); k++ {
		a, b := line[k-1], line[k]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l2 := dx*dx + dy*dy
		t := math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
		f := orb.Point{a[0] + t*dx, a[1] + t*dy}
		if d := planar.Distance(f, p); d < best {
			best, along = d, acc+t*math.Sqrt(l2)
			side = 1
			if dx*(p[1]-a[1])-dy*(p[0]-a[0]) < 0 {
				side = -1
			}
		}
		acc += math.Sqrt(l2)
	}
	return side, along
}

func TestAddresses(t *testing.T) {
	ds := generate(t, sample.Options{})
	roads := map[string]*data.Road{}
	for _, r := range ds.Roads {
		roads[r.Name] = r
	}
	comms := map[string]*data.Area{}
	for _, a := range ds.Areas {
		comms[a.Code] = a
	}
	type numbered struct {
		along float64
		a     *data.Address
	}
	sides := map[string][]numbered{}
	suffixes := 0
	for _, a := range ds.Addresses {
		r := roads[a.Road]
		if r == nil {
			t.Fatalf("address %s: road %q does not exist", a.Full, a.Road)
		}
		c := comms[a.Community]
		if c == nil || c.Level != data.Community || !planar.MultiPolygonContains(c.Polygon, a.Point) {
			t.Fatalf("address %s at %v: community %q does not contain it", a.Full, a.Point, a.Community)
		}
		if !strings.HasPrefix(a.Full, a.Road) || !strings.Contains(a.Full, fmt.Sprint(a.Number)) || !strings.HasSuffix(a.Full, "号") && !strings.Contains(a.Full, "号之") {
			t.Fatalf("address %+v: Full %q does not spell road and number", a, a.Full)
		}
		if a.Suffix != "" {
			suffixes++
		}
		side, along := sideAndAlong(r.Line, a.Point)
		if (a.Number%2 == 1) != (side > 0) {
			t.Fatalf("address %s is on the %d side of %s: want odd numbers left, even right", a.Full, side, a.Road)
		}
		key := fmt.Sprint(a.Road, side)
		sides[key] = append(sides[key], numbered{along, a})
	}
	if suffixes == 0 {
		t.Error("no address has a suffix (甲, 之1, -1)")
	}
	for key, list := range sides {
		sort.Slice(list, func(i, j int) bool { return list[i].along < list[j].along })
		for k := 1; k < len(list); k++ {
			if list[k].a.Number < list[k-1].a.Number {
				t.Fatalf("%s: %s comes after %s along the road", key, list[k].a.Full, list[k-1].a.Full)
			}
		}
	}
	perGrid := float64(len(ds.Addresses)) / float64(len(ds.Grids))
	if perGrid < 1 || perGrid > 3 {
		t.Errorf("%.2f addresses per grid, want 1–3", perGrid)
	}
}

func TestBuildingsAndPOIs(t *testing.T) {
	ds := generate(t, sample.Options{})
	full := map[string]bool{}
	for _, a := range ds.Addresses {
		full[a.Full] = true
	}
	compounds := map[string]string{}
	for _, b := range ds.Buildings {
		if !full[b.Address] {
			t.Fatalf("building %s%s: address %q is not a house number", b.Compound, b.Name, b.Address)
		}
		if gate, ok := compounds[b.Compound]; ok && gate != b.Address {
			t.Fatalf("compound %s has gates %s and %s", b.Compound, gate, b.Address)
		}
		compounds[b.Compound] = b.Address
		if len(b.Footprint) != 1 || !planar.PolygonContains(b.Footprint, b.Point) {
			t.Fatalf("building %s%s: point outside its footprint", b.Compound, b.Name)
		}
	}
	if len(compounds) < len(ds.Grids)/10 {
		t.Errorf("%d compounds for %d grids", len(compounds), len(ds.Grids))
	}
	names := map[string]bool{}
	cats := map[string]int{}
	for _, p := range ds.POIs {
		if names[p.Name] {
			t.Errorf("POI %s twice", p.Name)
		}
		names[p.Name] = true
		cats[p.Category]++
		seen := map[string]bool{p.Name: true}
		for _, a := range p.Aliases {
			if seen[a] {
				t.Errorf("POI %s: alias %q repeats its name or another alias", p.Name, a)
			}
			seen[a] = true
		}
		if !full[p.Address] {
			t.Errorf("POI %s: address %q is not a house number", p.Name, p.Address)
		}
	}
	if !names["大塘龙社区工作站"] || !names["深圳市罗湖区桂园街道办事处"] || cats["地铁站"] == 0 || cats["学校"] == 0 {
		t.Errorf("POIs lack a 社区工作站, 街道办事处, metro station or school: %v", cats)
	}
}
