package gazetteer_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Test city: 建设路 runs east along lat 22.55 with odd numbers on the north side and even on
// the south, 10 m apart per number pair; 人民路 crosses it at lon 114.11; 和平東路三段 carries a
// Taiwan-form lane.
const (
	lat0 = 22.55
	lon0 = 114.10
	step = 0.0001 // lon per house number, about 10 m
)

// houses returns the 门牌 from, from+every … to of road, each at its housePoint, its ID its number.
func houses(road string, from, to, every int) []*data.Address {
	var out []*data.Address
	for n := from; n <= to; n += every {
		out = append(out, &data.Address{ID: uint64(n), Road: road, Number: n, Point: housePoint(n)})
	}
	return out
}

func housePoint(n int) orb.Point {
	side := 0.0002
	if n%2 == 0 {
		side = -0.0002
	}
	return orb.Point{lon0 + float64(n)*step, lat0 + side}
}

func testCity() *data.Dataset {
	ds := &data.Dataset{Name: "test"}
	ds.Areas = []*data.Area{
		{Code: "440303", Name: "罗湖区", Level: data.District, Label: orb.Point{114.12, 22.56}},
		{Code: "440303001", Name: "东门街道", Level: data.Street, Parent: "440303", Label: orb.Point{114.11, 22.555}},
		{Code: "440303001001", Name: "湖贝社区", Level: data.Community, Parent: "440303001", Label: orb.Point{114.105, 22.552}},
	}
	ds.Roads = []*data.Road{
		{ID: 1, Name: "建设路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}},
		{ID: 2, Name: "人民路", Line: orb.LineString{{114.11, 22.54}, {114.11, 22.56}}},
		{ID: 3, Name: "中山二路", Line: orb.LineString{{lon0, 22.545}, {lon0 + 0.02, 22.545}}},
		{ID: 4, Name: "和平東路三段", Line: orb.LineString{{lon0, 22.54}, {lon0 + 0.02, 22.54}}},
	}
	id := uint64(0)
	for n := 1; n <= 100; n++ {
		if n == 41 || n == 42 || n == 57 {
			continue // gaps for interpolation
		}
		id++
		ds.Addresses = append(ds.Addresses, &data.Address{ID: id, Road: "建设路", Number: n,
			Point: housePoint(n), Community: "440303001001"})
	}
	id++
	ds.Addresses = append(ds.Addresses, &data.Address{ID: id, Road: "建设路", Number: 17, Suffix: "甲",
		Point: orb.Point{lon0 + 17*step, lat0 + 0.0004}})
	for n := 1; n <= 20; n++ {
		id++
		ds.Addresses = append(ds.Addresses, &data.Address{ID: id, Road: "和平東路", Section: "三段",
			Lane: "228巷", Number: n, Point: orb.Point{lon0 + 0.005, 22.54 - float64(n)*0.0001}})
	}
	// 之 numbers: 60之1 beside 60号 (a quarter of the way to 62), and 57之1 where 57号 is not indexed.
	for _, a := range []struct {
		n      int
		suffix string
	}{{60, "之1"}, {57, "之1"}} {
		id++
		p := lerp(housePoint(a.n), housePoint(a.n+2), 0.25)
		ds.Addresses = append(ds.Addresses, &data.Address{ID: id, Road: "建设路", Number: a.n, Suffix: a.suffix, Point: p})
	}
	ds.POIs = []*data.POI{
		{ID: 1, Name: "东门医院", Aliases: []string{"东门人民医院"}, Point: orb.Point{114.115, 22.552}},
		{ID: 5, Name: "罗湖小区", Point: orb.Point{114.13, 22.56}}, // one rune off 罗湖区
	}
	ds.Buildings = []*data.Building{
		{ID: 1, Compound: "翠竹苑", Name: "3栋", Point: orb.Point{114.118, 22.553}},
		{ID: 2, Compound: "翠竹苑", Name: "4栋", Point: orb.Point{114.119, 22.553}},
	}
	return ds
}

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

func TestGeocode(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{City: "深圳市"})
	mid41 := orb.Point{(housePoint(39)[0] + housePoint(43)[0]) / 2, housePoint(41)[1]}
	at60x1 := lerp(housePoint(60), housePoint(62), 0.25)
	house, road := gazetteer.LevelHouse, gazetteer.LevelRoad
	cases := []struct {
		name     string
		q        string
		level    gazetteer.Level
		reason   gazetteer.Reason
		want     orb.Point
		tol      float64 // metres
		minScore float64
		maxScore float64
		matched  string
	}{
		{"exact", "建设路17号", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"admin prefix and full width", "广东省深圳市罗湖区建设路１７號", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"chinese numerals", "建设路十七号", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"suffix", "建设路甲17号", house, "", orb.Point{lon0 + 17*step, lat0 + 0.0004}, 1, 1, 1, "建设路甲17号"},
		{"floor and room keep the point", "建设路17号3楼501室", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"interpolated", "建设路41号", house, gazetteer.ReasonInterpolated, mid41, 2, 0.5, 0.95, "建设路41号"},
		{"even side interpolated", "建设路42号", house, gazetteer.ReasonInterpolated, housePoint(42), 2, 0.5, 0.95, "建设路42号"},
		{"之 number", "建设路60之1号", house, "", at60x1, 1, 1, 1, "建设路60之1号"},
		{"N-K is N之K", "建设路60-1号", house, "", at60x1, 1, 1, 1, "建设路60之1号"},
		{"N之K號 traditional", "建設路60之1號", house, "", at60x1, 1, 1, 1, "建设路60之1号"},
		{"N-K without 号", "建设路60-1", house, "", at60x1, 1, 1, 1, "建设路60之1号"},
		{"甲 after the number", "建设路17号甲", house, "", orb.Point{lon0 + 17*step, lat0 + 0.0004}, 1, 1, 1, "建设路甲17号"},
		{"甲 before 号", "建设路17甲号3楼", house, "", orb.Point{lon0 + 17*step, lat0 + 0.0004}, 1, 1, 1, "建设路甲17号"},
		{"floor in Chinese", "建设路十七号三层", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"basement", "建设路17号B1", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"F floor", "建设路17号F3", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"unit and room", "建设路17号2单元301室", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"taiwan floor and flat", "建設路17號3樓之2", house, "", housePoint(17), 1, 1, 1, "建设路17号"},
		{"之 number from its base", "建设路17之1号", house, gazetteer.ReasonBaseNumber, lerp(housePoint(17), housePoint(19), 0.25), 1, 0.5, 0.95, "建设路17号"},
		{"unit of a number from its base", "建设路18号之2", house, gazetteer.ReasonBaseNumber, housePoint(18), 1, 0.5, 0.95, "建设路18号"},
		{"bare number from its 之 sibling", "建设路57号", house, gazetteer.ReasonSibling, lerp(housePoint(57), housePoint(59), 0.25), 1, 0.5, 0.95, "建设路57之1号"},
		{"extrapolated a little", "建设路102号", house, gazetteer.ReasonExtrapolated, housePoint(102), 5, 0.5, 0.9, "建设路102号"},
		{"far past the last number", "建设路180号", road, gazetteer.ReasonOutOfRange, housePoint(180), 30, 0.3, 0.5, "建设路"},
		{"absurd number", "建设路99999号", road, gazetteer.ReasonOutOfRange, housePoint(100), 1600, 0.3, 0.5, "建设路"},
		{"road only", "建设路", road, "", housePoint(51), 200, 0.3, 0.7, "建设路"},
		{"typo is not a 门牌", "建没路17号", road, gazetteer.ReasonFuzzyRoad, housePoint(17), 1, 0.2, 0.49, "建设路"},
		{"missing rune", "建路17号", road, gazetteer.ReasonFuzzyRoad, housePoint(17), 1, 0.2, 0.49, "建设路"},
		{"another road one rune away", "建国路1号", road, gazetteer.ReasonFuzzyRoad, housePoint(1), 1, 0.2, 0.49, "建设路"},
		{"intersection", "建设路与人民路交叉口", gazetteer.LevelIntersection, "", orb.Point{114.11, lat0}, 1, 0.7, 0.95, "建设路与人民路交叉口"},
		{"intersection glued", "建设路人民路口", gazetteer.LevelIntersection, "", orb.Point{114.11, lat0}, 1, 0.7, 0.95, "建设路与人民路交叉口"},
		{"offset", "建设路17号东50米", house, "", orbgeo.PointAtBearingAndDistance(housePoint(17), 90, 50), 2, 0.5, 0.9, "建设路17号"},
		{"nearby", "建设路17号附近", house, "", housePoint(17), 1, 0.9, 0.99, "建设路17号"},
		{"beside", "建设路17号旁", house, "", housePoint(17), 1, 0.9, 0.99, "建设路17号"},
		{"across the street", "建设路17号对面", house, "", orb.Point{housePoint(17)[0], lat0 - 0.0002}, 1, 0.85, 0.95, "建设路17号"},
		{"diagonally across", "建设路17号斜对面", house, "", orb.Point{housePoint(17)[0], lat0 - 0.0002}, 1, 0.85, 0.95, "建设路17号"},
		{"附 number before the road", "附17号建设路", house, gazetteer.ReasonBaseNumber, housePoint(17), 1, 0.5, 0.95, "建设路17号"},
		{"乙 number", "建设路乙17号", house, gazetteer.ReasonBaseNumber, housePoint(17), 1, 0.5, 0.95, "建设路17号"},
		{"lane mouth", "和平東路三段228巷口", gazetteer.LevelIntersection, gazetteer.ReasonInterpolated, orb.Point{lon0 + 0.005, 22.54 - 0.0001}, 1, 0.5, 0.8, "和平東路三段228巷口"},
		{"taiwan traditional", "和平東路三段228巷7號", house, "", orb.Point{lon0 + 0.005, 22.54 - 0.0007}, 1, 1, 1, "和平東路三段228巷7号"},
		{"taiwan simplified arabic", "和平东路3段228巷7号", house, "", orb.Point{lon0 + 0.005, 22.54 - 0.0007}, 1, 1, 1, "和平東路三段228巷7号"},
		// 230巷 leaves its street two numbers past 228巷, whose mouth is all the street knows.
		{"lane without numbers", "和平東路三段230巷3號", road, gazetteer.ReasonLaneEntrance, orb.Point{lon0 + 0.005, 22.54}, 30, 0.3, 0.5, "和平東路三段230巷"},
		{"named lane not indexed", "建设路幸福巷17号", road, gazetteer.ReasonStreetUnknown, housePoint(51), 200, 0.3, 0.5, "建设路"},
		{"road with numeral variant", "中山2路", road, "", orb.Point{lon0 + 0.01, 22.545}, 1200, 0.3, 0.7, "中山二路"},
		{"poi", "东门医院", gazetteer.LevelPOI, "", orb.Point{114.115, 22.552}, 1, 0.8, 0.95, "东门医院"},
		{"poi alias", "东门人民医院", gazetteer.LevelPOI, "", orb.Point{114.115, 22.552}, 1, 0.8, 0.95, "东门医院"},
		{"building", "翠竹苑4号楼", gazetteer.LevelBuilding, "", orb.Point{114.119, 22.553}, 1, 0.9, 0.99, "翠竹苑4栋"},
		{"building not indexed", "翠竹苑9号楼", gazetteer.LevelPOI, gazetteer.ReasonBuildingUnknown, orb.Point{114.118, 22.553}, 1, 0.5, 0.8, "翠竹苑"},
		{"district before a POI one rune off", "罗湖区", gazetteer.LevelDistrict, "", orb.Point{114.12, 22.56}, 1, 0.2, 0.4, "罗湖区"},
		{"community", "湖贝社区", gazetteer.LevelCommunity, "", orb.Point{114.105, 22.552}, 1, 0.4, 0.6, "湖贝社区"},
		{"street", "罗湖区东门街道", gazetteer.LevelStreet, "", orb.Point{114.11, 22.555}, 1, 0.3, 0.5, "东门街道"},
		{"unknown number falls back to road", "人民路5号", road, gazetteer.ReasonNumberUnknown, orb.Point{114.11, 22.55}, 1200, 0.3, 0.5, "人民路"},
		{"unknown road falls back to the area", "湖贝社区幸福大道8号", gazetteer.LevelCommunity, gazetteer.ReasonFallback, orb.Point{114.105, 22.552}, 1, 0.2, 0.4, "湖贝社区"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ix.Geocode(c.q, gazetteer.Query{Limit: 3})
			if len(got) == 0 {
				t.Fatalf("Geocode(%q): no candidate", c.q)
			}
			g := got[0]
			if g.Level != c.level || g.Reason != c.reason {
				t.Errorf("Geocode(%q) = %s/%q, want %s/%q (%+v)", c.q, g.Level, g.Reason, c.level, c.reason, g)
			}
			if d := orbgeo.Distance(g.Point, c.want); d > c.tol {
				t.Errorf("Geocode(%q) = %v, %.1f m from %v (tolerance %.0f m)", c.q, g.Point, d, c.want, c.tol)
			}
			if g.Score < c.minScore || g.Score > c.maxScore {
				t.Errorf("Geocode(%q) score = %.2f, want in [%.2f, %.2f]", c.q, g.Score, c.minScore, c.maxScore)
			}
			if g.Matched != c.matched || g.Address != c.matched {
				t.Errorf("Geocode(%q) matched %q address %q, want %q", c.q, g.Matched, g.Address, c.matched)
			}
			// Anything but an exact answer at its level is flagged and scores below one.
			if exact := g.Reason == gazetteer.ReasonExact; !exact && g.Score >= gazetteer.Score(g.Level, "") {
				t.Errorf("Geocode(%q) %s scores %.2f, not below the exact %s", c.q, g.Reason, g.Score, g.Level)
			}
			if g.Level == house && (g.Reason != gazetteer.ReasonExact) != g.Interpolated {
				t.Errorf("Geocode(%q) interpolated = %v with reason %q", c.q, g.Interpolated, g.Reason)
			}
		})
	}
}

func TestGeocodeTypoRanksBelowExact(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	exact := ix.Geocode("建设路17号", gazetteer.Query{})
	typo := ix.Geocode("建设璐17号", gazetteer.Query{})
	if len(exact) == 0 || len(typo) == 0 {
		t.Fatalf("no candidates: %v %v", exact, typo)
	}
	if typo[0].Score >= exact[0].Score {
		t.Errorf("typo score %.2f not below exact %.2f", typo[0].Score, exact[0].Score)
	}
}

func TestGeocodeOtherCity(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{City: "深圳市"})
	for _, c := range []struct {
		q, city string
		score   float64
	}{
		{"深圳市罗湖区建设路17号", "", 1},
		{"深圳建设路17号", "", 1},
		{"广州市建设路17号", "", 0.5},
		// Asked in 广州 of a 深圳 index: the address agrees with the request, but the answer is
		// still 深圳's namesake.
		{"广州市建设路17号", "广州", 0.5},
		{"深圳市建设路17号", "深圳", 1},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{City: c.city})
		if len(got) == 0 || math.Abs(got[0].Score-c.score) > 1e-9 {
			t.Errorf("Geocode(%q, city %q) = %+v, want score %.1f", c.q, c.city, got, c.score)
		}
	}
}

func TestGeocodeNothing(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	for _, q := range []string{"", "   ", "完全不相干的文字", "12345"} {
		if got := ix.Geocode(q, gazetteer.Query{}); len(got) != 0 {
			t.Errorf("Geocode(%q) = %+v, want none", q, got)
		}
	}
}

func TestGeocodePlace(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	got := ix.Geocode("建设路17号", gazetteer.Query{})
	if len(got) == 0 {
		t.Fatal("no candidate")
	}
	p := got[0].Place
	if p.Community.Code != "440303001001" || p.Street.Name != "东门街道" || p.District.Name != "罗湖区" {
		t.Errorf("place = %+v", p)
	}
	// With a locator, its answer wins.
	ix = mustNew(t, testCity(), gazetteer.Options{Locate: func(orb.Point) gazetteer.Place {
		return gazetteer.Place{Grid: "440303001001001"}
	}})
	if got := ix.Geocode("建设路17号", gazetteer.Query{}); got[0].Place.Grid != "440303001001001" {
		t.Errorf("grid = %q", got[0].Place.Grid)
	}
}

func TestReverse(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	p := orbgeo.PointAtBearingAndDistance(housePoint(17), 45, 8)
	r := ix.Reverse(p, 2000)
	if r.House == nil || r.House.Name != "建设路17号" {
		t.Fatalf("house = %+v", r.House)
	}
	if math.Abs(r.House.Distance-8) > 0.5 || r.House.Direction != "东北" {
		t.Errorf("house = %+v, want 8 m 东北", r.House)
	}
	if r.Phrase != "建设路17号东北方向8米" {
		t.Errorf("phrase = %q", r.Phrase)
	}
	if r.Road == nil || r.Road.Name != "建设路" {
		t.Errorf("road = %+v", r.Road)
	}
	if r.Intersection == nil || r.Intersection.Name != "建设路与人民路交叉口" {
		t.Errorf("intersection = %+v", r.Intersection)
	}
	if r.POI == nil || r.POI.Name != "东门医院" {
		t.Errorf("poi = %+v", r.POI)
	}
	if r.Place.Street.Name != "东门街道" {
		t.Errorf("place = %+v", r.Place)
	}
	// Far from every house: the road describes the point.
	far := ix.Reverse(orb.Point{114.119, 22.5545}, 1000)
	if far.House != nil || far.Road == nil {
		t.Errorf("far: house %+v road %+v", far.House, far.Road)
	}
}

// TestReverseStandIn checks that a stand-in level (a derived 街道, as Taipei's police
// precincts are) is named in the place chain but left out of the formatted address.
func TestReverseStandIn(t *testing.T) {
	for _, derived := range []bool{false, true} {
		ds := testCity()
		ds.Areas[1].Derived = derived
		r := mustNew(t, ds, gazetteer.Options{}).Reverse(housePoint(17), 50)
		if r.Place.Street.Name != "东门街道" || r.Place.Street.Derived != derived {
			t.Errorf("derived=%v: place %+v", derived, r.Place)
		}
		want := "罗湖区东门街道湖贝社区建设路17号"
		if derived {
			want = "罗湖区湖贝社区建设路17号"
		}
		if r.Formatted != want {
			t.Errorf("derived=%v: formatted %q, want %q", derived, r.Formatted, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	cases := []struct{ q, want string }{
		{"建设", "建设路"}, {"jsl", "建设路"}, {"JS", "建设路"}, {"jianshe", "建设路"},
		{"和平東", "和平東路"}, {"dmyy", "东门医院"}, {"湖贝", "湖贝社区"},
		// compounds (from the buildings) and POI aliases, in characters and pinyin
		{"翠竹", "翠竹苑"}, {"czy", "翠竹苑"}, {"cuizhu", "翠竹苑"}, {"dmrm", "东门医院"}, {"东门人民", "东门医院"},
	}
	for _, c := range cases {
		got := ix.Suggest(c.q, 5)
		if len(got) == 0 || got[0].Name != c.want {
			t.Errorf("Suggest(%q) = %+v, want first %s", c.q, got, c.want)
		}
	}
	if got := ix.Suggest("zzzz", 5); len(got) != 0 {
		t.Errorf("Suggest(zzzz) = %+v", got)
	}
	// Every suggestion says where it is, so that a marker needs no second call.
	for _, c := range []struct {
		q, id string
		at    orb.Point
		tol   float64
	}{
		{"东门医", "poi:1", orb.Point{114.115, 22.552}, 1},
		{"湖贝", "area:440303001001", orb.Point{114.105, 22.552}, 1},
		{"人民", "road:人民路", orb.Point{114.11, 22.55}, 1200},
	} {
		got := ix.Suggest(c.q, 1)
		if len(got) == 0 || got[0].ID != c.id || orbgeo.Distance(got[0].Point, c.at) > c.tol {
			t.Errorf("Suggest(%q) = %+v, want %s near %v", c.q, got, c.id, c.at)
		}
	}
}

// TestReverseWith checks the lists AMap's regeo renders: the nearest POIs, roads (one per
// name) and crossings within the radius, nearest first.
func TestReverseWith(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	p := orb.Point{114.1095, 22.5502} // by 建设路, 50 m from 人民路
	r := ix.ReverseWith(p, gazetteer.ReverseQuery{Radius: 1000, POIs: 5, Roads: 3, Intersections: 2})
	if len(r.Roads) < 2 || r.Roads[0].Name != "建设路" || r.Roads[1].Name != "人民路" {
		t.Errorf("roads = %+v, want 建设路 then 人民路", r.Roads)
	}
	for i := 1; i < len(r.Roads); i++ {
		if r.Roads[i].Distance < r.Roads[i-1].Distance || r.Roads[i].Name == r.Roads[i-1].Name {
			t.Errorf("roads not nearest first, one per name: %+v", r.Roads)
		}
	}
	if len(r.Intersections) == 0 || len(r.Intersections[0].Roads) != 2 || r.Intersections[0].Roads[1] != "人民路" {
		t.Errorf("intersections = %+v", r.Intersections)
	}
	if len(r.POIs) == 0 || r.POIs[0].ID == "" {
		t.Errorf("pois = %+v", r.POIs)
	}
	if r.House == nil || r.House.Street != "建设路" || r.House.Number == "" {
		t.Errorf("house = %+v", r.House)
	}
	if plain := ix.Reverse(p, 1000); plain.POIs != nil || plain.Roads != nil {
		t.Errorf("Reverse lists %+v %+v, want none", plain.POIs, plain.Roads)
	}
}

func ExampleIndex_Geocode() {
	ix, err := gazetteer.New(testCity(), gazetteer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []string{"罗湖区建设路17号", "建设路41号", "建设路与人民路交叉口"} {
		c := ix.Geocode(q, gazetteer.Query{})[0]
		fmt.Printf("%s → %s %s %.2f interpolated=%v\n", q, c.Address, c.Level, c.Score, c.Interpolated)
	}
	// Output:
	// 罗湖区建设路17号 → 建设路17号 门牌号 1.00 interpolated=false
	// 建设路41号 → 建设路41号 门牌号 0.80 interpolated=true
	// 建设路与人民路交叉口 → 建设路与人民路交叉口 道路交叉路口 0.90 interpolated=false
}

func ExampleIndex_Reverse() {
	ix, err := gazetteer.New(testCity(), gazetteer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := ix.Reverse(orbgeo.PointAtBearingAndDistance(housePoint(17), 45, 8), 0)
	fmt.Println(r.Phrase)
	fmt.Println(r.Formatted)
	// Output:
	// 建设路17号东北方向8米
	// 罗湖区东门街道湖贝社区建设路17号
}

func TestDeploymentOf(t *testing.T) {
	for _, c := range []struct {
		name           string
		codes          []string
		province, city string
	}{
		{"shenzhen", []string{"440303", "440303001", "440303001001"}, "广东省", "深圳市"},
		{"municipality", []string{"110105", "110105001"}, "北京市", "北京市"},
		{"majority", []string{"330106", "330106001", "440303"}, "浙江省", "杭州市"},
		{"taiwan", []string{"6300300", "6300300046"}, "", ""},
		{"none", nil, "", ""},
	} {
		ds := &data.Dataset{}
		for _, code := range c.codes {
			ds.Areas = append(ds.Areas, &data.Area{Code: code, Name: "X区", Level: data.District})
		}
		got := gazetteer.DeploymentOf(ds)
		if got.Province != c.province || got.City != c.city || len(got.Districts) != len(c.codes) {
			t.Errorf("%s: DeploymentOf = %+v, want %s %s and %d districts", c.name, got, c.province, c.city, len(c.codes))
		}
	}
}

// TestGeocodeDeployment checks that the deployment derived from the area codes (深圳市) ranks
// addresses naming another place as doubtful when the request names no city.
func TestGeocodeDeployment(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	for _, c := range []struct {
		q, city string
		score   float64
	}{
		{"广东省深圳市罗湖区建设路17号", "", 1},
		{"罗湖区建设路17号", "", 1},
		{"广州市建设路17号", "", gazetteer.DoubtfulFactor},
		{"浙江省建设路17号", "", gazetteer.DoubtfulFactor},
		{"西湖区建设路17号", "", gazetteer.DoubtfulFactor},
		{"浙江杭州西湖区建设路17号", "", gazetteer.DoubtfulFactor},
		// The request's city: another city or province is doubtful; this one, its province, or
		// a name that is no city (a district, pinyin) is not.
		{"建设路17号", "北京", gazetteer.DoubtfulFactor},
		{"建设路17号", "上海市", gazetteer.DoubtfulFactor},
		{"建设路17号", "浙江省", gazetteer.DoubtfulFactor},
		{"建设路17号", "深圳", 1},
		{"建设路17号", "深圳市", 1},
		{"建设路17号", "广东省", 1},
		{"建设路17号", "罗湖区", 1},
		{"建设路17号", "shenzhen", 1},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{City: c.city})
		if len(got) == 0 || math.Abs(got[0].Score-c.score) > 1e-9 || got[0].Elsewhere != (c.score < 1) {
			t.Errorf("Geocode(%q, city %q) = %+v, want score %.1f", c.q, c.city, got, c.score)
		}
	}
}

// TestParseNational checks that mainland admin names outside the dataset parse as elements,
// and that the same names inside a road or company name do not.
func TestParseNational(t *testing.T) {
	ix := mustNew(t, testCity(), gazetteer.Options{})
	for _, c := range []struct{ q, want string }{
		{"浙江省杭州市西湖区文三路90号", "prov:浙江省 city:杭州市 district:西湖区 road:文三路 roadno:90号"},
		{"浙江杭州西湖区文三路90号", "prov:浙江 city:杭州 district:西湖区 road:文三路 roadno:90号"},
		{"上海上海市黄浦区江西中路100号", "prov:上海 city:上海市 district:黄浦区 road:江西中路 roadno:100号"},
		{"浙江省-温州-永嘉县瓯北镇", "prov:浙江省 city:温州 district:永嘉县 town:瓯北镇"},
		{"建设路17号浙江明泰标准件有限公司", "road:建设路 roadno:17号 poi:浙江明泰标准件有限公司"},
		// Short forms after their own city or district; their older suffixes; towns.
		{"杭州萧山闻堰湘山路18号", "city:杭州 district:萧山 town:闻堰 road:湘山路 roadno:18号"},
		{"宁波北仑小港纬三路8号", "city:宁波 district:北仑 town:小港 road:纬三路 roadno:8号"},
		// A town that moved to another district of its city (下沙: 江干区's until 2021).
		{"浙江杭州江干下沙文渊北路1号", "prov:浙江 city:杭州 district:江干 town:下沙 road:文渊北路 roadno:1号"},
		{"浙江省台州市路桥区金清镇", "prov:浙江省 city:台州市 district:路桥区 town:金清镇"},
		{"安徽省宣城市广德县团山路1号", "prov:安徽省 city:宣城市 district:广德县 road:团山路 roadno:1号"},
		{"杭州市余杭镇仙桥路1号", "city:杭州市 town:余杭镇 road:仙桥路 roadno:1号"},
		{"浙江省奉化市岳林街道", "prov:浙江省 district:奉化市 town:岳林街道"},
		{"宁波兴业一路1号", "city:宁波 road:兴业一路 roadno:1号"},
		// A place name run into a road's.
		{"浙江省余姚市模具城金型路8号", "prov:浙江省 district:余姚市 poi:模具城 road:金型路 roadno:8号"},
		// A unique county short form opening the address; a municipality's short districts.
		{"义乌长春路100号", "district:义乌 road:长春路 roadno:100号"},
		{"义乌国际商贸城", "poi:义乌国际商贸城"},
		{"解放东路8号", "road:解放东路 roadno:8号"},
		{"上海市浦东周浦周邓公路12弄", "city:上海市 district:浦东 town:周浦 road:周邓公路 alley:12弄"},
		// Former counties; noise before a national name; a short city starting a company name.
		{"浙江绍兴市绍兴县袍江工业园区", "prov:浙江 city:绍兴市 district:绍兴县 devzone:袍江工业园区"},
		{"中国浙江省温州市龙湾区永强大道1号", "other:中国 prov:浙江省 city:温州市 district:龙湾区 road:永强大道 roadno:1号"},
		{"杭州市拱墅区杭州南方机电", "city:杭州市 district:拱墅区 poi:杭州南方机电"},
		// Zones and compound parts are no districts; a hamlet between a town and a road.
		{"掌起镇工业园区工业路5号", "devzone:掌起镇工业园区 road:工业路 roadno:5号"},
		{"顺达花苑西区3幢", "poi:顺达花苑 subpoi:西区 building:3栋"},
		{"姜山镇胡家坟振兴路", "town:姜山镇 community:胡家坟 road:振兴路"},
		{"江汉东路迎春小区", "road:江汉东路 poi:迎春小区"},
		{"霞西路北海联合市场", "road:霞西路 poi:北海联合市场"},
		{"清波公寓南大门", "poi:清波公寓 subpoi:南大门"},
		// 街办事处 is a 街道's office; a 坊 or 里 with no number after it is a compound.
		{"湖北省武汉市武昌区水果湖街办事处黄鹂路", "prov:湖北省 city:武汉市 district:武昌区 town:水果湖街办事处 road:黄鹂路"},
		{"东岳路清河坊3幢", "road:东岳路 poi:清河坊 building:3栋"},
		{"东岳路清河坊8号", "road:东岳路 road:清河坊 roadno:8号"},
		// A road named by a number.
		{"杭州市钱塘区下沙1号大街", "city:杭州市 district:钱塘区 town:下沙 road:1号大街"},
	} {
		if g := kindsAndTexts(ix.Parse(c.q)); g != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.q, g, c.want)
		}
	}
}

// kindsAndTexts writes a parse as "kind:text" per element, space-separated.
func kindsAndTexts(p gazetteer.Parsed) string {
	var got []string
	for _, e := range p.Elements {
		got = append(got, e.Kind.String()+":"+e.Text)
	}
	return strings.Join(got, " ")
}

// TestGeocodePOIAddress checks that a POI's published address places its number when the
// 门牌 layer lacks it, and never displaces an indexed 门牌 or invents a road.
func TestGeocodePOIAddress(t *testing.T) {
	ds := testCity()
	clinic := orb.Point{lon0 + 57*step, lat0 + 0.0006}
	ds.POIs = append(ds.POIs,
		&data.POI{ID: 2, Name: "湖贝诊所", Address: "建设路57号", Point: clinic},
		&data.POI{ID: 3, Name: "建设银行", Address: "建设路17号", Point: orb.Point{114.2, 22.6}},
		&data.POI{ID: 4, Name: "幸福超市", Address: "幸福路3号", Point: orb.Point{114.2, 22.6}})
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q            string
		level        gazetteer.Level
		at           orb.Point
		interpolated bool
	}{
		{"建设路57号", gazetteer.LevelHouse, clinic, false},
		{"建设路17号", gazetteer.LevelHouse, housePoint(17), false},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != c.level || got[0].Interpolated != c.interpolated ||
			orbgeo.Distance(got[0].Point, c.at) > 1 {
			t.Errorf("Geocode(%q) = %+v, want %s at %v interpolated=%v", c.q, got, c.level, c.at, c.interpolated)
		}
	}
	if got := ix.Geocode("幸福路3号", gazetteer.Query{}); len(got) > 0 && got[0].Level == gazetteer.LevelHouse {
		t.Errorf("Geocode(幸福路3号) = %+v: a POI address invented a road", got)
	}
}

// TestGeocodeExtrapolate checks that a number beyond the only known one on its side is placed
// by the spacing the city's numbers have, in the direction the street's numbers grow.
func TestGeocodeExtrapolate(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "长街", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.01, lat0}}}}}
	add := func(n int) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: "长街", Number: n, Point: housePoint(n)})
	}
	add(1) // the only odd number
	for n := 2; n <= 60; n += 2 {
		add(n)
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, n := range []int{41, 61} {
		q := fmt.Sprintf("长街%d号", n)
		got := ix.Geocode(q, gazetteer.Query{})
		if len(got) == 0 || !got[0].Interpolated {
			t.Fatalf("Geocode(%s) = %+v, want an interpolated 门牌", q, got)
		}
		if d := orbgeo.Distance(got[0].Point, housePoint(n)); d > 15 {
			t.Errorf("Geocode(%s) is %.0f m from where its number lies, want ≤ 15 m", q, d)
		}
	}
}

// TestGeocodeSparsePair checks that a number between two neighbours far apart for their
// numbers (a park between them) is placed by the city's spacing from the nearer number.
func TestGeocodeSparsePair(t *testing.T) {
	ds := &data.Dataset{}
	ds.Addresses = append(ds.Addresses, houses("园边路", 2, 20, 2)...)
	ds.Addresses = append(ds.Addresses, &data.Address{ID: 40, Road: "园边路", Number: 40, Point: housePoint(400)})
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("园边路22号", gazetteer.Query{})
	if len(got) == 0 || !got[0].Interpolated {
		t.Fatalf("Geocode(园边路22号) = %+v, want an interpolated 门牌", got)
	}
	if d := orbgeo.Distance(got[0].Point, housePoint(22)); d > 5 {
		t.Errorf("Geocode(园边路22号) is %.0f m from 20号's neighbour position, want ≤ 5 m", d)
	}
}

// TestLaneInRoadName checks that an address whose road name carries its lane (罗湖88巷, as the
// generated city writes them) is indexed on that lane, for geocoding and reverse alike.
func TestLaneInRoadName(t *testing.T) {
	ds := &data.Dataset{}
	ds.Addresses = append(ds.Addresses, houses("长街5巷", 1, 9, 1)...)
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("长街5巷3号", gazetteer.Query{})
	if len(got) == 0 || got[0].Score != 1 || got[0].Point != housePoint(3) {
		t.Errorf("Geocode(长街5巷3号) = %+v, want the exact 门牌", got)
	}
	if r := ix.Reverse(housePoint(3), 0); r.House == nil || r.House.Name != "长街5巷3号" {
		t.Errorf("Reverse(3号) house = %+v, want 长街5巷3号", r.House)
	}
}

// TestLaneRule checks that a lane without geometry is placed by Taiwan's numbering rule: it
// leaves its street at the house of its own number, on that house's side, and its numbers
// grow away from the street, by the lane's own spacing when it has houses.
func TestLaneRule(t *testing.T) {
	// 信義路 runs east along lat0, odd numbers north, even south, 10 m per number; its houses
	// stand 22 m from the centreline. Lane 24巷 leaves south by 24號, 3.3 m per number.
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "信義路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}}}}
	add := func(road, lane string, n int, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: road, Lane: lane, Number: n, Point: p})
	}
	for n := 1; n <= 60; n++ {
		p := housePoint(n)
		if n == 30 {
			p[1] = lat0 // on the centreline: its side cannot tell which way 30巷 leaves
		}
		add("信義路", "", n, p)
	}
	lanePoint := func(mouth, n int) orb.Point {
		return orb.Point{lon0 + float64(mouth)*step, lat0 - 0.0002 - float64(n)*0.00003}
	}
	add("信義路", "24巷", 2, lanePoint(24, 2))
	add("信義路", "24巷", 4, lanePoint(24, 4))
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q    string
		want orb.Point
		tol  float64
	}{
		{"信義路24巷30號", lanePoint(24, 30), 10}, // far past the lane's known numbers
		// Lanes with no house: from the mouth on the number's side, by the city's spacing.
		{"信義路26巷10號", orb.Point{lon0 + 26*step, lat0 - 0.0002 - 10*citySpacing}, 15},
		{"信義路27巷10號", orb.Point{lon0 + 27*step, lat0 + 0.0002 + 10*citySpacing}, 15},
		// Its mouth on the centreline: 24巷, off the same side six numbers away, lends its
		// direction (south).
		{"信義路30巷10號", orb.Point{lon0 + 30*step, lat0 - 10*citySpacing}, 15},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
			t.Fatalf("Geocode(%s) = %+v, want a flagged lane_rule answer below 门牌号", c.q, got)
		}
		if d := orbgeo.Distance(got[0].Point, c.want); d > c.tol {
			t.Errorf("Geocode(%s) is %.0f m from where the rule puts it, want ≤ %.0f m", c.q, d, c.tol)
		}
	}
}

// streetOfHouses returns a dataset of one road along lat0 with a line, numbered 1 to 60
// (housePoint), and a function that adds a house of the road or of one of its lanes.
func streetOfHouses(road string) (*data.Dataset, func(lane string, n int, p orb.Point)) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: road, Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}}}}
	add := func(lane string, n int, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: road, Lane: lane, Number: n, Point: p})
	}
	for n := 1; n <= 60; n++ {
		add("", n, housePoint(n))
	}
	return ds, add
}

// TestLaneRuleFitsTheCity checks that a lane with no house of its own is placed by how the
// city's other lanes number their houses, not by the street's spacing: here every lane's house
// n lies 12 m + 3 m·n past the street's houses, where the street has 10.3 m a number.
func TestLaneRuleFitsTheCity(t *testing.T) {
	ds, add := streetOfHouses("信義路")
	// Lanes leave south (even numbers) from 22 m off the centreline, where the street's houses stand.
	lanePoint := func(mouth int, metres float64) orb.Point {
		return orb.Point{lon0 + float64(mouth)*step, lat0 - 0.0002 - metres/110800}
	}
	for _, mouth := range []int{4, 8, 12, 16, 20} {
		for n := 1; n <= 6; n++ {
			add(strconv.Itoa(mouth)+"巷", n, lanePoint(mouth, 12+3*float64(n)))
		}
	}
	add("8巷", 7, lanePoint(8, 200)) // a misplaced house: the fit is not pulled after it
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q    string
		want orb.Point
	}{
		{"信義路40巷10號", lanePoint(40, 12+30)},
		{"信義路44巷1號", lanePoint(44, 12+3)},
		{"信義路48巷30號", lanePoint(48, 12+90)},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
			t.Fatalf("Geocode(%s) = %+v, want a flagged lane_rule answer below 门牌号", c.q, got)
		}
		if d := orbgeo.Distance(got[0].Point, c.want); d > 5 {
			t.Errorf("Geocode(%s) is %.0f m from where the city's lanes put it, want ≤ 5 m", c.q, d)
		}
	}
}

// citySpacing is the test road's spacing per number (0.0001° of longitude, 10.3 m) in degrees
// of latitude.
const citySpacing = 10.3 / 110800

// TestLaneEntranceRow checks that an address row without a number (a register's lane
// entrance) marks where its lane leaves the street and is never answered as a 门牌.
func TestLaneEntranceRow(t *testing.T) {
	ds := testCity()
	at := orb.Point{lon0 + 120*step, lat0 - 0.0001}
	ds.Addresses = append(ds.Addresses, &data.Address{ID: 999, Road: "建设路", Lane: "120巷", Point: at})
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路120巷口", gazetteer.Query{})
	if len(got) == 0 || orbgeo.Distance(got[0].Point, at) > 1 {
		t.Fatalf("120巷口 = %+v, want the entrance row's point %v", got, at)
	}
	if got[0].Reason == gazetteer.ReasonExact {
		t.Errorf("120巷口 from an entrance row is exact: %+v", got[0])
	}
	for _, c := range ix.Geocode("建设路120巷0号", gazetteer.Query{Limit: 5}) {
		if c.Level == gazetteer.LevelHouse && c.Reason == gazetteer.ReasonExact {
			t.Errorf("the entrance row answered as 门牌 0号: %+v", c)
		}
	}
}

// TestGeocodeSiblingUnits checks that a qualified number (N號之K, N之K) is placed by a known
// one of the same form and base within two of its K — the units of one building lie together,
// often apart from the base's own point — and by its base otherwise: another form, a K far
// off, or a sibling too far from the base to be trusted.
func TestGeocodeSiblingUnits(t *testing.T) {
	ds := &data.Dataset{}
	add := func(n int, suffix string, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: "中山路", Number: n, Suffix: suffix, Point: p})
	}
	for n := 1; n <= 59; n += 2 {
		add(n, "", housePoint(n))
	}
	units := orb.Point{lon0 + 33*step, lat0 + 0.0006} // the building behind 33號, 44 m in
	add(33, "號之26", units)
	add(33, "號之28", units)
	add(41, "之2", orb.Point{lon0 + 41.5*step, lat0 + 0.0002})
	add(45, "之1", orb.Point{lon0 + 45*step, lat0 + 0.0020}) // 200 m from 45號: doubtful
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q      string
		reason gazetteer.Reason
		at     orb.Point
	}{
		{"中山路33號之27", gazetteer.ReasonSibling, units},
		{"中山路33號之29", gazetteer.ReasonSibling, units},
		{"中山路33號之40", gazetteer.ReasonBaseNumber, housePoint(33)},                             // K far from every sibling
		{"中山路33之27號", gazetteer.ReasonBaseNumber, lerp(housePoint(33), housePoint(35), 0.25)}, // another form
		{"中山路41之3號", gazetteer.ReasonSibling, orb.Point{lon0 + 41.5*step, lat0 + 0.0002}},
		{"中山路45之2號", gazetteer.ReasonBaseNumber, lerp(housePoint(45), housePoint(47), 0.25)},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != c.reason {
			t.Fatalf("Geocode(%s) = %+v, want 门牌号 flagged %s", c.q, got, c.reason)
		}
		if d := orbgeo.Distance(got[0].Point, c.at); d > 1 {
			t.Errorf("Geocode(%s) is %.0f m from %v", c.q, d, c.at)
		}
	}
}

// TestGeocodeAcrossDrift checks a number whose own side is known only far away in number: it
// is placed along the road's line between the nearest numbers of the other side, at its own
// side's distance from the line. The along-road offset between the two sides measured 48
// numbers away (the sides of a street drift apart in numbering) is not carried over.
func TestGeocodeAcrossDrift(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "和平路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.01, lat0 + 0.00001}, {lon0 + 0.02, lat0}}}}}
	add := func(n int, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: "和平路", Number: n, Point: p})
	}
	for n := 1; n <= 59; n += 2 {
		add(n, housePoint(n))
	}
	add(2, orb.Point{lon0 + 9*step, lat0 - 0.0002}) // the even side starts opposite 9號
	ix := mustNew(t, ds, gazetteer.Options{})
	want := orb.Point{lon0 + 50*step, lat0 - 0.0002}
	got := ix.Geocode("和平路50號", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != gazetteer.ReasonAcross {
		t.Fatalf("Geocode(和平路50號) = %+v, want 门牌号 flagged across", got)
	}
	if d := orbgeo.Distance(got[0].Point, want); d > 5 {
		t.Errorf("Geocode(和平路50號) is %.0f m from opposite 49/51號 on the even side, want ≤ 5 m", d)
	}
}

// TestGeocodeOtherSideMirrored checks that a number none of whose parity lies along the road's
// line is placed on the far side of the line from the known numbers, which all lie across the
// street from it (odd on one side, even on the other), at their distance from the line: between
// them when they bracket it, past the last of them by the city's spacing when they do not.
func TestGeocodeOtherSideMirrored(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "和平路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.01, lat0 + 0.00001}, {lon0 + 0.02, lat0}}}}}
	for n := 1; n <= 59; n += 2 {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(n), Road: "和平路", Number: n, Point: housePoint(n)})
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q      string
		reason gazetteer.Reason
		at     orb.Point
	}{
		{"和平路20號", gazetteer.ReasonAcross, housePoint(20)},       // between 19號 and 21號, across
		{"和平路66號", gazetteer.ReasonExtrapolated, housePoint(66)}, // past 59號, across
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != c.reason {
			t.Fatalf("Geocode(%s) = %+v, want 门牌号 flagged %s", c.q, got, c.reason)
		}
		if d := orbgeo.Distance(got[0].Point, c.at); d > 5 {
			t.Errorf("Geocode(%s) is %.0f m from %v on the even side, want ≤ 5 m", c.q, d, c.at)
		}
	}
}

// TestGeocodeFarNumberSpanSpacing checks that a number far past its street's known numbers (more
// than maxRateGap) is placed along the line by the metres per number over the street's known
// span, which counts the park between 21號 and 61號, and a number close past them by the
// spacing of neighbouring lots.
func TestGeocodeFarNumberSpanSpacing(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "和平路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.01, lat0 + 0.00001}, {lon0 + 0.03, lat0}}}}}
	const park = 0.002 // about 200 m without houses between 21號 and 61號
	at := func(n int) orb.Point {
		p := housePoint(n)
		if n > 21 {
			p[0] += park
		}
		return p
	}
	for n := 1; n <= 81; n += 2 {
		if n <= 21 || n >= 61 {
			ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(n), Road: "和平路", Number: n, Point: at(n)})
		}
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, c := range []struct {
		q      string
		level  gazetteer.Level
		reason gazetteer.Reason
		at     orb.Point
	}{
		// 14 numbers past 81號: the lots' 10 m a number.
		{"和平路95號", gazetteer.LevelHouse, gazetteer.ReasonExtrapolated, at(95)},
		// 40 numbers past 81號: half as far again as 1號 to 81號 (80 numbers, the park in them).
		{"和平路121號", gazetteer.LevelRoad, gazetteer.ReasonOutOfRange, orb.Point{at(81)[0] + (at(81)[0]-at(1)[0])/2, at(81)[1]}},
	} {
		got := ix.Geocode(c.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != c.level || got[0].Reason != c.reason {
			t.Fatalf("Geocode(%s) = %+v, want %s flagged %s", c.q, got, c.level, c.reason)
		}
		if d := orbgeo.Distance(got[0].Point, c.at); d > 5 {
			t.Errorf("Geocode(%s) is %.0f m from %v, want ≤ 5 m", c.q, d, c.at)
		}
	}
}

// TestLaneRuleFromOwnHouse checks that a lane number the lane's houses cannot bracket is
// placed from the lane's own house nearest in number, along the lane, rather than from the
// mouth: here the lane's only known house stands nearer the street than the street's own
// houses (the setback), so no spacing can be measured from the mouth and the city's would put
// 15號 150 m down the lane.
func TestLaneRuleFromOwnHouse(t *testing.T) {
	ds, add := streetOfHouses("泰順街")
	house := func(n int) orb.Point {
		return orb.Point{lon0 + 44*step + 0.00003, lat0 - 0.00008 - float64(n-13)*0.00003}
	}
	add("44巷", 13, house(13))
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("泰順街44巷15號", gazetteer.Query{})
	if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
		t.Fatalf("Geocode(泰順街44巷15號) = %+v, want a flagged lane_rule answer below 门牌号", got)
	}
	if d := orbgeo.Distance(got[0].Point, house(15)); d > 25 {
		t.Errorf("Geocode(泰順街44巷15號) is %.0f m from beside 13號, want ≤ 25 m", d)
	}
}

// TestGeocodeNeighbourhoodChange checks the 鄰 rule: between two known numbers of different
// 鄰, an asked number of one 鄰 is placed from that one's known number by the city's spacing,
// not spread evenly over the stretch (here the last lots of 3鄰 are wide, so 59號 of 4鄰 lies
// next to 61號, not 40 m short of it). A query without its 鄰 keeps the proportional place.
func TestGeocodeNeighbourhoodChange(t *testing.T) {
	ds := &data.Dataset{}
	add := func(lin, n int, x float64) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: "貿商街", Number: n,
			Full:  fmt.Sprintf("澎湖縣馬公市光榮里%d鄰貿商街%d號", lin, n),
			Point: orb.Point{lon0 + x*step, lat0 + 0.0002}})
	}
	for n := 1; n <= 41; n += 2 {
		add(3, n, float64(n))
	}
	for n := 61; n <= 99; n += 2 {
		add(4, n, float64(n+40))
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	at := func(x float64) orb.Point { return orb.Point{lon0 + x*step, lat0 + 0.0002} }
	for _, tc := range []struct {
		q    string
		want orb.Point
	}{
		{"澎湖縣馬公市光榮里4鄰貿商街59號", at(99)},
		{"澎湖縣馬公市光榮里3鄰貿商街43號", at(43)},
		{"澎湖縣馬公市貿商街59號", at(41 + 0.9*60)}, // no 鄰: in proportion
	} {
		got := ix.Geocode(tc.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != gazetteer.ReasonInterpolated {
			t.Fatalf("Geocode(%s) = %+v, want 门牌号 flagged interpolated", tc.q, got)
		}
		if d := orbgeo.Distance(got[0].Point, tc.want); d > 5 {
			t.Errorf("Geocode(%s) is %.0f m from where it lies, want ≤ 5 m", tc.q, d)
		}
	}
}

// TestGeocodeOutOfRangeNeighbourhood checks the 鄰 rule for a number its street cannot vouch
// for: 99號 lies 580 m past the last known odd number, too far to extrapolate, so it is placed
// among the houses of the 鄰 it names — that 鄰's house on the same street nearest in number,
// else the middle of the 鄰's houses elsewhere — still at the road level and flagged. Without
// a 鄰, or with one the index does not hold, the point stays towards the street's end.
func TestGeocodeOutOfRangeNeighbourhood(t *testing.T) {
	ds := &data.Dataset{}
	add := func(road string, lin, n int, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: road, Number: n,
			Full: fmt.Sprintf("澎湖縣馬公市光榮里%d鄰%s%d號", lin, road, n), Point: p})
	}
	at := func(x, y float64) orb.Point { return orb.Point{lon0 + x*step, lat0 + y*step} }
	for n := 1; n <= 41; n += 2 {
		add("貿商街", 3, n, at(float64(n), 2))
	}
	add("貿商街", 5, 200, at(20, -30)) // 5鄰 reaches the street on the even side only
	for n := 1; n <= 9; n += 2 {
		add("中興街", 4, n, at(-20, 40+float64(n))) // 4鄰 is off the street
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, tc := range []struct {
		q      string
		want   orb.Point
		within float64
		far    bool // the answer must lie over 100 m from want instead
	}{
		{"澎湖縣馬公市光榮里5鄰貿商街99號", at(20, -30), 1, false},
		{"澎湖縣馬公市光榮里4鄰貿商街99號", at(-20, 45), 1, false},
		{"澎湖縣馬公市貿商街99號", at(-20, 45), 0, true},
		{"澎湖縣馬公市光榮里8鄰貿商街99號", at(-20, 45), 0, true},
	} {
		got := ix.Geocode(tc.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelRoad || got[0].Reason != gazetteer.ReasonOutOfRange {
			t.Fatalf("Geocode(%s) = %+v, want 道路 flagged out_of_range", tc.q, got)
		}
		d := orbgeo.Distance(got[0].Point, tc.want)
		if !tc.far && d > tc.within {
			t.Errorf("Geocode(%s) is %.0f m from its 鄰's place, want ≤ %.0f m", tc.q, d, tc.within)
		}
		if tc.far && d <= 100 {
			t.Errorf("Geocode(%s) is %.0f m from 4鄰's middle, want the street's end (> 100 m)", tc.q, d)
		}
	}
}

// TestGeocodeUnknownStreetNeighbourhood checks the answer for a street the index does not
// know: the middle of the known houses of the 鄰 the address names, flagged neighbourhood at
// the village's level, instead of the village's own point hundreds of metres away; without a
// 鄰, or with one the index holds no house of, the village answers as a fallback.
func TestGeocodeUnknownStreetNeighbourhood(t *testing.T) {
	at := func(x, y float64) orb.Point { return orb.Point{lon0 + x*step, lat0 + y*step} }
	village := at(200, 200)
	ds := &data.Dataset{Areas: []*data.Area{
		{Code: "10016010", Name: "馬公市", Level: data.District, Label: at(0, 0)},
		{Code: "10016010-001", Name: "光榮里", Level: data.Community, Parent: "10016010", Label: village},
	}}
	for i, n := range []int{1, 3, 5, 7} {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(i + 1), Road: "中興街", Number: n,
			Full: fmt.Sprintf("澎湖縣馬公市光榮里4鄰中興街%d號", n), Point: at(-20+float64(i), 40)})
	}
	ds.Addresses = append(ds.Addresses, &data.Address{ID: 9, Road: "文林街", Number: 2,
		Full: "澎湖縣馬公市東文里4鄰文林街2號", Point: at(-30, 80)})
	ix := mustNew(t, ds, gazetteer.Options{})
	for _, tc := range []struct {
		q       string
		reason  gazetteer.Reason
		want    orb.Point
		matched string
	}{
		{"澎湖縣馬公市光榮里4鄰文城三路6號", gazetteer.ReasonNeighbourhood, at(-18, 40), "光荣里4邻"},
		{"澎湖縣馬公市光榮里9鄰文城三路6號", gazetteer.ReasonFallback, village, "光榮里"},
		{"澎湖縣馬公市光榮里文城三路6號", gazetteer.ReasonFallback, village, "光榮里"},
		// A village the index has no area for: its 鄰 still answers.
		{"澎湖縣馬公市東文里4鄰文城三路6號", gazetteer.ReasonNeighbourhood, at(-30, 80), "东文里4邻"},
	} {
		got := ix.Geocode(tc.q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelCommunity || got[0].Reason != tc.reason {
			t.Fatalf("Geocode(%s) = %+v, want 社区 flagged %s", tc.q, got, tc.reason)
		}
		if d := orbgeo.Distance(got[0].Point, tc.want); d > 2 {
			t.Errorf("Geocode(%s) is %.0f m from where it belongs, want ≤ 2 m", tc.q, d)
		}
		if got[0].Matched != tc.matched {
			t.Errorf("Geocode(%s).Matched = %q, want %q", tc.q, got[0].Matched, tc.matched)
		}
		if got[0].Score >= gazetteer.Score(gazetteer.LevelRoad, gazetteer.ReasonFuzzyRoad) {
			t.Errorf("Geocode(%s).Score = %.2f, want below any road answer", tc.q, got[0].Score)
		}
	}
}

// TestGeocodeLaneExtrapolationDirection checks that a lane's number past its last known one
// of its side is carried the way the lane runs — away from its mouth (where 50巷 leaves 建设路
// at 50號) through its houses — not along the chord of its two known numbers, which here lie
// on opposite sides of the lane a few metres apart and point across it.
func TestGeocodeLaneExtrapolationDirection(t *testing.T) {
	ds := &data.Dataset{}
	ds.Addresses = append(ds.Addresses, houses("建设路", 2, 60, 1)...)
	mouth := housePoint(50)
	// off returns the point east and south of the mouth by the given metres.
	off := func(east, south float64) orb.Point {
		return orb.Point{mouth[0] + east/(111320*math.Cos(lat0*math.Pi/180)), mouth[1] - south/110574}
	}
	for _, h := range []struct {
		n           int
		east, south float64
	}{{2, 4, 5}, {3, -4, 7}} {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(100 + h.n), Road: "建设路", Lane: "50巷", Number: h.n, Point: off(h.east, h.south)})
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路50巷12号", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != gazetteer.ReasonExtrapolated {
		t.Fatalf("Geocode(建设路50巷12号) = %+v, want 门牌号 flagged extrapolated", got)
	}
	// Ten numbers past 2號 at the city's 10 m per number: 100 m down the lane.
	if d := orbgeo.Distance(got[0].Point, off(4, 105)); d > 15 {
		t.Errorf("Geocode(建设路50巷12号) is %.0f m from 100 m down the lane from 2號, want ≤ 15 m", d)
	}
}

// TestGeocodeAlleyEntrance checks where an alley nothing is known of is answered: 弄 N leaves
// its 巷 at the lane's house N, so 50巷7弄 (neither the lane nor the alley holds a number)
// leaves 50巷 seven lots in from where the lane leaves 建设路 at 50號 — not at the lane's mouth.
func TestGeocodeAlleyEntrance(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "建设路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}}}}
	ds.Addresses = append(ds.Addresses, houses("建设路", 2, 80, 1)...)
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路50巷7弄", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelRoad || got[0].Reason != gazetteer.ReasonLaneEntrance {
		t.Fatalf("Geocode(建设路50巷7弄) = %+v, want 道路 flagged lane_entrance", got)
	}
	// The lane runs south from the line at 50號, its houses from 50號's setback on, 10 m a
	// number: 7號 of the lane lies 70 m past the setback.
	want := orb.Point{housePoint(50)[0], housePoint(50)[1] - 70/110574.0}
	if d := orbgeo.Distance(got[0].Point, want); d > 5 {
		t.Errorf("Geocode(建设路50巷7弄) is %.0f m from 7號 of 50巷, want ≤ 5 m", d)
	}
}

// TestGeocodeLaneOffOutOfRangeNumber checks a lane leaving its street at a number the street
// cannot vouch for (300巷 of a street known up to 20號): the lane is answered where the street
// places 300號, flagged as the lane's entrance, rather than at the street's middle.
func TestGeocodeLaneOffOutOfRangeNumber(t *testing.T) {
	ds := &data.Dataset{}
	ds.Addresses = append(ds.Addresses, houses("建设路", 2, 20, 1)...)
	ix := mustNew(t, ds, gazetteer.Options{})
	parent := ix.Geocode("建设路300号", gazetteer.Query{})
	if len(parent) == 0 || parent[0].Reason != gazetteer.ReasonOutOfRange {
		t.Fatalf("Geocode(建设路300号) = %+v, want out_of_range", parent)
	}
	got := ix.Geocode("建设路300巷5号", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelRoad || got[0].Reason != gazetteer.ReasonLaneEntrance {
		t.Fatalf("Geocode(建设路300巷5号) = %+v, want 道路 flagged lane_entrance", got)
	}
	if d := orbgeo.Distance(got[0].Point, parent[0].Point); d > 1 {
		t.Errorf("Geocode(建设路300巷5号) is %.0f m from where 300號 is placed, want ≤ 1 m", d)
	}
}

// TestGeocodeLaneMouthAnchor checks that a lane known only deep inside (its first known house
// is 13號) still anchors its street's numbering: its houses, projected onto the street's line,
// say where 50巷 — and so 50號 — leaves the street, and 48號 is placed beside it rather than in
// proportion between 20號 and 60號 (the lots between them are narrow).
func TestGeocodeLaneMouthAnchor(t *testing.T) {
	ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "建设路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}}}}
	add := func(lane string, n int, p orb.Point) {
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: "建设路", Lane: lane, Number: n, Point: p})
	}
	for n := 2; n <= 20; n += 2 {
		add("", n, housePoint(n))
	}
	for n := 60; n <= 80; n += 2 {
		add("", n, housePoint(n))
	}
	for n := 13; n <= 17; n += 2 {
		add("50巷", n, orb.Point{lon0 + 30*step + 0.00003, lat0 - 0.0003 - float64(n)*0.00005})
	}
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路48號", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != gazetteer.ReasonInterpolated {
		t.Fatalf("Geocode(建设路48號) = %+v, want 门牌号 flagged interpolated", got)
	}
	want := orb.Point{lon0 + 29.3*step, lat0 - 0.0002}
	if d := orbgeo.Distance(got[0].Point, want); d > 10 {
		t.Errorf("Geocode(建设路48號) at %v is %.0f m from beside 50巷's mouth %v, want ≤ 10 m", got[0].Point, d, want)
	}
	// 50號 itself is the mouth: placed there, but at the road's level and below dispatch's
	// bar, since a mouth known from a lane's houses lands within 30 m only half the time.
	got = ix.Geocode("建设路50號", gazetteer.Query{})
	if len(got) == 0 || got[0].Level != gazetteer.LevelRoad || got[0].Reason != gazetteer.ReasonLaneMouth || got[0].Score >= 0.5 {
		t.Fatalf("Geocode(建设路50號) = %+v, want 道路 flagged lane_mouth, scored below 0.5", got)
	}
	mouth := orb.Point{lon0 + 30*step, lat0 - 0.0002} // at the street's houses' setback
	if d := orbgeo.Distance(got[0].Point, mouth); d > 10 {
		t.Errorf("Geocode(建设路50號) at %v is %.0f m from 50巷's mouth %v, want ≤ 10 m", got[0].Point, d, mouth)
	}
}

// TestLaneRuleAlongOwnLine checks that a lane the data maps (OSM holds some lanes) but whose
// numbers are not indexed is placed along its own line from the end at its street: past the
// setback of the street's houses, 16 times the city's spacing, round the lane's bend — not
// straight on from the mouth, and not at the lane's middle.
func TestLaneRuleAlongOwnLine(t *testing.T) {
	down := 100.0 / 110540 // 100 m south, then east
	mouth := orb.Point{lon0 + 30*step, lat0}
	bend := orb.Point{mouth[0], lat0 - down}
	ds := &data.Dataset{Roads: []*data.Road{
		{ID: 1, Name: "建设路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}},
		{ID: 2, Name: "建设路30巷", Line: orb.LineString{mouth, bend, {bend[0] + 0.003, bend[1]}}},
	}}
	ds.Addresses = append(ds.Addresses, houses("建设路", 1, 60, 1)...)
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路30巷16號", gazetteer.Query{})
	if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
		t.Fatalf("Geocode(建设路30巷16號) = %+v, want a flagged lane_rule answer below 门牌号", got)
	}
	// The setback (22 m) and 16 numbers at the street's 10.3 m: 187 m along, 87 m past the bend.
	setback := orbgeo.Distance(housePoint(30), orb.Point{lon0 + 30*step, lat0})
	spacing := orbgeo.Distance(housePoint(1), housePoint(3)) / 2
	east := setback + 16*spacing - 100
	want := orb.Point{bend[0] + east/orbgeo.Distance(bend, orb.Point{bend[0] + 1, bend[1]}), bend[1]}
	if d := orbgeo.Distance(got[0].Point, want); d > 10 {
		t.Errorf("Geocode(建设路30巷16號) is %.0f m from %.0f m along the lane's line, want ≤ 10 m", d, setback+16*spacing)
	}
}

// TestLaneRuleAcrossStreet checks the lane rule on a street with no line and no other lane to
// lend a direction (a register without road geometry): the lane leaves straight across the
// street's run from house N, on N's side (the even houses lie south), and 5號 lies five of
// the city's spacings down it.
func TestLaneRuleAcrossStreet(t *testing.T) {
	ds := &data.Dataset{}
	ds.Addresses = append(ds.Addresses, houses("建设路", 1, 60, 1)...)
	ix := mustNew(t, ds, gazetteer.Options{})
	got := ix.Geocode("建设路20巷5號", gazetteer.Query{})
	if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
		t.Fatalf("Geocode(建设路20巷5號) = %+v, want a flagged lane_rule answer below 门牌号", got)
	}
	spacing := orbgeo.Distance(housePoint(1), housePoint(3)) / 2
	want := orb.Point{housePoint(20)[0], housePoint(20)[1] - 5*spacing/110540}
	if d := orbgeo.Distance(got[0].Point, want); d > 5 {
		t.Errorf("Geocode(建设路20巷5號) is %.0f m from %.0f m south of 20號, want ≤ 5 m", d, 5*spacing)
	}
}

// TestLaneRuleOddLeft checks the side a lane leaves its street on when nothing but 左單右雙 tells
// it: facing the way a street's numbers grow, odd numbers lie on the left and even on the
// right, so lane N巷 leaves from house N to that side. The streets below hold one side only (so
// the sides' houses cannot be compared) and no line, or the lane itself is unknown (an alley off
// it); each number lies its count of the city's spacings from where its lane or alley leaves.
func TestLaneRuleOddLeft(t *testing.T) {
	spacing := orbgeo.Distance(housePoint(1), housePoint(3)) / 2
	mPerLon := orbgeo.Distance(orb.Point{lon0, lat0}, orb.Point{lon0 + 1, lat0})
	const mPerLat = 110574.0
	// west is a street numbered the other way: its numbers grow westwards, odd houses south.
	west := func(n int) orb.Point { return orb.Point{lon0 + 0.02 - float64(n)*step, lat0 - 0.0002} }
	line := []*data.Road{{ID: 1, Name: "建设路", Line: orb.LineString{{lon0, lat0}, {lon0 + 0.02, lat0}}}}
	// An alley leaves its lane at the lane's house N: past the street's setback (22 m), N of
	// the city's spacings down the lane, which runs south from 50號.
	alleyMouth := func(n int) orb.Point {
		return orb.Point{housePoint(50)[0], lat0 - (orbgeo.Distance(housePoint(50), orb.Point{lon0 + 50*step, lat0})+float64(n)*spacing)/mPerLat}
	}
	cases := []struct {
		name  string
		roads []*data.Road
		from  int
		every int
		at    func(int) orb.Point
		q     string
		want  orb.Point
	}{
		{"even lane of a street numbered eastwards leaves south", nil, 2, 2, housePoint, "建设路20巷5號",
			orb.Point{housePoint(20)[0], housePoint(20)[1] - 5*spacing/mPerLat}},
		{"odd lane of a street numbered eastwards leaves north", nil, 1, 2, housePoint, "建设路21巷5號",
			orb.Point{housePoint(21)[0], housePoint(21)[1] + 5*spacing/mPerLat}},
		{"odd lane of a street numbered westwards leaves south", nil, 1, 2, west, "建设路21巷5號",
			orb.Point{west(21)[0], west(21)[1] - 5*spacing/mPerLat}},
		{"odd alley of a lane running south leaves east", line, 2, 1, housePoint, "建设路50巷7弄3号",
			orb.Point{alleyMouth(7)[0] + 3*spacing/mPerLon, alleyMouth(7)[1]}},
		{"even alley of a lane running south leaves west", line, 2, 1, housePoint, "建设路50巷8弄3号",
			orb.Point{alleyMouth(8)[0] - 3*spacing/mPerLon, alleyMouth(8)[1]}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := &data.Dataset{Roads: c.roads}
			for n := c.from; n <= 80; n += c.every {
				ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(n), Road: "建设路", Number: n, Point: c.at(n)})
			}
			ix := mustNew(t, ds, gazetteer.Options{})
			got := ix.Geocode(c.q, gazetteer.Query{})
			if len(got) == 0 || got[0].Reason != gazetteer.ReasonLaneRule || got[0].Level == gazetteer.LevelHouse {
				t.Fatalf("Geocode(%s) = %+v, want a flagged lane_rule answer below 门牌号", c.q, got)
			}
			if d := orbgeo.Distance(got[0].Point, c.want); d > 5 {
				t.Errorf("Geocode(%s) at %v is %.0f m from %v, want ≤ 5 m", c.q, got[0].Point, d, c.want)
			}
		})
	}
}

// TestParseUnitBeforeFloor checks N號之K followed straight by a floor: the floor takes the last
// digit (a floor needs a number), the unit the rest; a single digit stays the unit's.
func TestParseUnitBeforeFloor(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"信義路三段162號之51樓", "road:信义路 section:3段 roadno:162号之5 floor:1楼"},
		{"信義路三段一六二號之五一樓", "road:信义路 section:3段 roadno:162号之5 floor:1楼"},
		{"中央街7號之1三樓", "road:中央街 roadno:7号之1 floor:3楼"},
		{"中央街7號之12", "road:中央街 roadno:7号之12"},
		{"中央街7號之12F", "road:中央街 roadno:7号之1 floor:2F"},
		{"中央街7號之1樓", "road:中央街 roadno:7号之1 other:楼"},
	} {
		if g := kindsAndTexts(gazetteer.Parse(c.q)); g != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.q, g, c.want)
		}
	}
}

// TestCityOf checks the city an admin code names, as AMap's city= gives adcodes: a district's
// and a city's own, a municipality's district, a province's own code (the province), none.
func TestCityOf(t *testing.T) {
	for code, want := range map[string]string{
		"440303": "深圳市", "4403": "深圳市", "440300": "深圳市", "110105": "北京市",
		"110000": "北京市", "440000": "广东省", "999999": "", "44": "", "4403ab": "",
	} {
		if got := gazetteer.CityOf(code); got != want {
			t.Errorf("CityOf(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestReverseWithFilters checks AMap's regeo filters: roadlevel=1 lists main roads only (by
// the road layer's class), poitype the POIs of the categories named, however near the others.
func TestReverseWithFilters(t *testing.T) {
	ds := testCity()
	for _, r := range ds.Roads {
		if r.Name == "人民路" {
			r.Class = data.RoadArterial
		}
	}
	p := orb.Point{114.1095, 22.5502} // by 建设路, 50 m from 人民路
	ds.POIs = append(ds.POIs,
		&data.POI{ID: 20, Name: "东门诊所", Category: "医院", Point: orb.Point{114.1096, 22.5502}},
		&data.POI{ID: 21, Name: "东门小学", Category: "学校", Point: orb.Point{114.1105, 22.5502}})
	ix := mustNew(t, ds, gazetteer.Options{})
	names := func(ns []gazetteer.Nearby) (out []string) {
		for _, n := range ns {
			out = append(out, n.Name)
		}
		return out
	}
	for _, c := range []struct {
		name         string
		q            gazetteer.ReverseQuery
		roads, pois0 string // the roads listed, the first POI
	}{
		{"unfiltered", gazetteer.ReverseQuery{Radius: 1000, POIs: 5, Roads: 3}, "建设路 人民路 中山二路", "东门诊所"},
		{"main roads", gazetteer.ReverseQuery{Radius: 1000, POIs: 5, Roads: 3, MainRoads: true}, "人民路", "东门诊所"},
		{"a category", gazetteer.ReverseQuery{Radius: 1000, POIs: 5, Roads: 3, Categories: []string{"学校"}}, "建设路 人民路 中山二路", "东门小学"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ix.ReverseWith(p, c.q)
			if got := strings.Join(names(r.Roads), " "); got != c.roads {
				t.Errorf("roads %q, want %q", got, c.roads)
			}
			if len(r.POIs) == 0 || r.POIs[0].Name != c.pois0 {
				t.Errorf("pois %v, want %s first", names(r.POIs), c.pois0)
			}
			if len(c.q.Categories) > 0 && len(r.POIs) != 1 {
				t.Errorf("pois %v, want the one 学校", names(r.POIs))
			}
		})
	}
}
