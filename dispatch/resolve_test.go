package dispatch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/dispatch"

	"github.com/paulmach/orb"
)

// TestPrecedence walks the precedence rules case by case on the sample rule set: grid over
// community over street over district, minor over major, a time window over the all-day rule,
// then the component's 养护单位/权属单位/主管部门, then the street.
func TestPrecedence(t *testing.T) {
	r, err := sampleResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	day := "2026-11-18T10:00:00+08:00"   // a Wednesday morning
	night := "2026-11-18T23:30:00+08:00" // the same night
	tests := []struct {
		name      string
		cell      int     // test grid index
		dx        float64 // offset east of the cell centre, degrees
		class     string
		kind      string
		component string
		time      string
		wantPath  dispatch.Path
		wantDept  string
		wantRule  string // rule level
		wantComp  string
	}{
		{"grid minor beats community and district", 0, 0, "0102", "event", "", day, dispatch.PathRule, "东门步行街管理办公室", "grid", ""},
		{"grid major beats district minor (area first)", 0, 0, "0505", "event", "", day, dispatch.PathRule, "东门步行街管理办公室", "grid", ""},
		{"community minor beats district minor", 2, 0, "0102", "event", "", day, dispatch.PathRule, "清水河社区工作站", "community", ""},
		{"district minor where no local rule", 1, 0, "0102", "event", "", day, dispatch.PathRule, "深圳市罗湖区环境卫生服务有限公司", "district", ""},
		{"street minor in 东门", 1, 0, "0501", "event", "", day, dispatch.PathRule, "深圳市罗湖区东门街道办事处", "street", ""},
		{"street minor in 桂园", 3, 0, "0501", "event", "", day, dispatch.PathRule, "深圳市罗湖区桂园街道办事处", "street", ""},
		{"street minor beats district major", 3, 0, "0101", "event", "", day, dispatch.PathRule, "深圳市罗湖区桂园街道办事处", "street", ""},
		{"district minor beats district major", 3, 0, "0505", "event", "", day, dispatch.PathRule, "深圳市公安局交通警察支队罗湖大队", "district", ""},
		{"district major", 3, 0, "0302", "event", "", day, dispatch.PathRule, "深圳市罗湖区城市管理和综合执法局", "district", ""},
		{"night window", 3, 0, "0508", "event", "", night, dispatch.PathRule, "深圳市罗湖区城市管理和综合执法局", "district", ""},
		{"no rule: street (属地)", 3, 0, "0201", "event", "", day, dispatch.PathStreet, "桂园街道", "", ""},
		{"component rule beats its maintainer", 3, 0, "0101", "component", "", day, dispatch.PathRule, "深圳市水务（集团）有限公司", "district", "4403030101000001"},
		{"no rule: maintainer of nearest", 3, 0.00005, "0117", "component", "", day, dispatch.PathMaintainer, "养护公司", "", "4403030117000001"},
		{"no rule: property", 1, 0, "0117", "component", "", day, dispatch.PathProperty, "权属单位甲", "", "4403030117000002"},
		{"no rule: owner", 2, 0, "0117", "component", "", day, dispatch.PathOwner, "主管部门乙", "", "4403030117000003"},
		{"given component far away", 0, 0, "0117", "component", "4403030117000003", day, dispatch.PathOwner, "主管部门乙", "", "4403030117000003"},
		{"no component within 20 m: street", 0, 0, "0117", "component", "", day, dispatch.PathStreet, "东门街道", "", ""},
		{"GB/T 47678.5 事项 major", 3, 0, "09001", "", "", day, dispatch.PathRule, "深圳市罗湖区城市管理和综合执法局", "district", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cellCentre(tc.cell)
			res, err := r.Resolve(context.Background(), dispatch.Input{Point: ptr(orb.Point{c[0] + tc.dx, c[1]}),
				Class: tc.class, Kind: tc.kind, Component: tc.component, Time: tc.time})
			if err != nil {
				t.Fatal(err)
			}
			if res.Path != tc.wantPath || res.Department.Name != tc.wantDept {
				t.Errorf("got %s %q, want %s %q", res.Path, res.Department.Name, tc.wantPath, tc.wantDept)
			}
			gotLevel := ""
			if res.Rule != nil {
				gotLevel = res.Rule.Level
			}
			if gotLevel != tc.wantRule {
				t.Errorf("rule level %q, want %q (%+v)", gotLevel, tc.wantRule, res.Rule)
			}
			gotComp := ""
			if res.Component != nil {
				gotComp = res.Component.ID
			}
			if gotComp != tc.wantComp {
				t.Errorf("component %q, want %q", gotComp, tc.wantComp)
			}
			if res.Grid != testGrids[tc.cell] || res.Street == nil || res.Street.Code != testGrids[tc.cell][:9] {
				t.Errorf("place %s %+v, want grid %s", res.Grid, res.Street, testGrids[tc.cell])
			}
		})
	}
}

// TestDeadline checks the deadline instants: calendar hours, working hours across a weekend
// and lunch, and the night window's shorter limit.
func TestDeadline(t *testing.T) {
	r, err := sampleResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, class, kind, time string
		cell                    int
		want                    string
	}{
		{"4 calendar hours", "0101", "component", "2026-11-20T16:00:00+08:00", 3, "2026-11-20T20:00:00+08:00"},
		{"8 working hours over the weekend", "0501", "event", "2026-11-20T16:00:00+08:00", 3, "2026-11-23T16:30:00+08:00"},
		{"report in the lunch break", "0501", "event", "2026-11-18T12:30:00+08:00", 3, "2026-11-19T14:30:00+08:00"},
		{"night noise: 2 calendar hours", "0508", "event", "2026-11-18T23:30:00+08:00", 3, "2026-11-19T01:30:00+08:00"},
		{"day noise: 24 working hours", "0508", "event", "2026-11-18T10:00:00+08:00", 3, "2026-11-23T11:30:00+08:00"},
		{"UTC input", "0101", "component", "2026-11-20T08:00:00Z", 3, "2026-11-20T20:00:00+08:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.Resolve(context.Background(), dispatch.Input{Point: ptr(cellCentre(tc.cell)), Class: tc.class, Kind: tc.kind, Time: tc.time})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Deadline.Format(time.RFC3339); got != tc.want {
				t.Errorf("deadline %s, want %s (%v h, working %v)", got, tc.want, res.DeadlineHours, res.WorkingHours)
			}
		})
	}
}

// TestResolveErrors checks that bad input names the field and matches its sentinel.
func TestResolveErrors(t *testing.T) {
	r, err := sampleResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	in := func(mod func(*dispatch.Input)) dispatch.Input {
		i := dispatch.Input{Point: ptr(cellCentre(1)), Class: "0501", Kind: "event", Time: "2026-11-18T10:00:00+08:00"}
		mod(&i)
		return i
	}
	tests := []struct {
		name  string
		in    dispatch.Input
		field string
		want  error
	}{
		{"unknown class", in(func(i *dispatch.Input) { i.Class = "0140" }), "class", dispatch.ErrUnknownClass},
		{"class of wrong length", in(func(i *dispatch.Input) { i.Class = "011" }), "class", dispatch.ErrUnknownClass},
		{"bad kind", in(func(i *dispatch.Input) { i.Kind = "thing" }), "class", dispatch.ErrUnknownClass},
		{"malformed time", in(func(i *dispatch.Input) { i.Time = "2026-11-18 10:00" }), "time", dispatch.ErrBadTime},
		{"a year mistyped ahead", in(func(i *dispatch.Input) { i.Time = "2062-11-18T10:00:00+08:00" }), "time", dispatch.ErrBadTime},
		{"before the service", in(func(i *dispatch.Input) { i.Time = "1970-01-01T08:00:00+08:00" }), "time", dispatch.ErrBadTime},
		{"outside", in(func(i *dispatch.Input) { i.Point = ptr(orb.Point{116.4, 39.9}) }), "point", dispatch.ErrOutside},
		{"not lon/lat", in(func(i *dispatch.Input) { i.Point = ptr(orb.Point{500, 22}) }), "point", dispatch.ErrBadCoordinate},
		{"unknown component", in(func(i *dispatch.Input) { i.Component = "4403030117999999" }), "component", dispatch.ErrUnknownComponent},
		{"no position", in(func(i *dispatch.Input) { i.Point = nil }), "point", dispatch.ErrNoPosition},
		{"address without geocoder", in(func(i *dispatch.Input) { i.Point, i.Address = nil, "东门中路1号" }), "address", dispatch.ErrNoGeocoder},
		{"bad crs", in(func(i *dispatch.Input) { i.CRS = "utm" }), "crs", dispatch.ErrBadInput},
		{"projected crs", in(func(i *dispatch.Input) { i.CRS = "EPSG:4547" }), "crs", dispatch.ErrBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Resolve(context.Background(), tc.in)
			var ie *dispatch.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			if ie.Field != tc.field || !errors.Is(err, tc.want) {
				t.Errorf("got field %q err %v, want field %q err %v", ie.Field, err, tc.field, tc.want)
			}
		})
	}
}

// TestResolveComponentOnly uses the given component's position when no point is sent.
func TestResolveComponentOnly(t *testing.T) {
	r, err := sampleResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(context.Background(), dispatch.Input{Class: "0117", Component: "4403030117000002"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Grid != gridDongmen || res.Component == nil || res.Component.Distance != 0 || res.Path != dispatch.PathProperty {
		t.Errorf("got grid %s component %+v path %s", res.Grid, res.Component, res.Path)
	}
}

type fixedGeocoder map[string]orb.Point

func (g fixedGeocoder) Geocode(_ context.Context, a string) (orb.Point, error) {
	p, ok := g[a]
	if !ok {
		return p, errors.New("no match")
	}
	return p, nil
}

// TestResolveAddress goes through the Geocoder interface.
func TestResolveAddress(t *testing.T) {
	r, err := sampleResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Geocoder = fixedGeocoder{"桂园路1号": cellCentre(3)}
	res, err := r.Resolve(context.Background(), dispatch.Input{Address: "桂园路1号", Class: "0501", Kind: "event"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Grid != gridDatanglong || res.Department.Name != "深圳市罗湖区桂园街道办事处" {
		t.Errorf("got %s %s", res.Grid, res.Department.Name)
	}
	_, err = r.Resolve(context.Background(), dispatch.Input{Address: "无此路9号", Class: "0501", Kind: "event"})
	var ie *dispatch.InputError
	if !errors.As(err, &ie) || ie.Field != "address" || !errors.Is(err, dispatch.ErrAddressNotFound) {
		t.Errorf("unknown address: %v", err)
	}
}

// TestResolveDuplicates files events and checks the next report finds them, ranked.
func TestResolveDuplicates(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sampleResolver(feed)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	c := cellCentre(3)
	file := func(id, class string, kind data.ClassKind, dx float64, at time.Time, comp string) {
		t.Helper()
		cl, err := data.ParseClassRef(class, 0, kind)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := feed.Put(data.Event{ID: id, Class: cl, Point: orb.Point{c[0] + dx, c[1]}, Reported: at, Component: comp}, at); err != nil {
			t.Fatal(err)
		}
	}
	file("near", "0501", data.KindEvent, 0.0001, t0, "")    // ~10 m
	file("nearer", "0501", data.KindEvent, 0.00002, t0, "") // ~2 m
	file("far", "0501", data.KindEvent, 0.001, t0, "")      // ~100 m
	file("old", "0501", data.KindEvent, 0, t0.Add(-48*time.Hour), "")
	file("other class", "0505", data.KindEvent, 0, t0, "")
	file("closed", "0501", data.KindEvent, 0, t0, "")
	if _, err := feed.Close("closed", t0); err != nil {
		t.Fatal(err)
	}
	file("same comp", "0101", data.KindComponent, 0.0003, t0, "4403030101000001")

	res, err := r.Resolve(context.Background(), dispatch.Input{Point: ptr(c), Class: "0501", Kind: "event", At: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range res.Duplicates {
		ids = append(ids, d.EventID)
	}
	if len(ids) != 2 || ids[0] != "nearer" || ids[1] != "near" {
		t.Errorf("duplicates %v, want [nearer near]", ids)
	}
	res, err = r.Resolve(context.Background(), dispatch.Input{Point: ptr(c), Class: "0101", Kind: "component", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Duplicates) != 1 || !res.Duplicates[0].SameComponent {
		t.Errorf("component duplicates %+v", res.Duplicates)
	}
}
