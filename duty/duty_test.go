package duty_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/gazetteer"
)

// brief writes an answer as post/person/via[/zone or segment][/delegation:reason].
func brief(od data.OnDuty) string {
	who := "-"
	if od.Person != nil {
		who = od.Person.ID
	}
	if od.Team != nil {
		who = od.Team.ID + ":" + who
	}
	s := fmt.Sprintf("%s/%s/%s", od.Post, who, od.Via)
	switch {
	case od.Zone != nil:
		s += "/" + od.Zone.ID
	case od.Segment != nil:
		s += "/" + od.Segment.ID
	}
	if od.Delegation != nil {
		s += "/" + od.Delegation.ID + ":" + od.Delegation.Reason
	}
	return s
}

// TestWalkThrough walks the rules case by case on the fixture town.
func TestWalkThrough(t *testing.T) {
	c := fixtureCity(t)
	ix := mustBuild(t, csvTables(t, fixtureLists()), c)
	for _, tc := range []struct {
		name  string
		p     orb.Point
		at    time.Time
		post  data.Post
		want  []string
		units map[string]string // segment id → unit expected
	}{
		{name: "10 m off 人民路 between 友谊路 and 和平路 → S1's unit and person", p: at(310, 180), at: clockAt(10, 0),
			want:  []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street", "maintainer/A/segment/S1"},
			units: map[string]string{"S1": "罗湖环卫公司"}},
		{name: "the same point at 20:00 under A→B 18:00–08:00 → B", p: at(310, 180), at: clockAt(20, 0),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street", "maintainer/B/segment/S1/D1:window"}},
		{name: "the delegation's window ends at 08:00", p: at(310, 180), at: clockAt(8, 0),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street", "maintainer/A/segment/S1"}},
		{name: "outside the delegation's dates → A again", p: at(310, 180), at: time.Date(2026, 12, 1, 20, 0, 0, 0, cst),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street", "maintainer/A/segment/S1"}},
		{name: "a point in a grid of community A → its 监督员; the 街长 is away → B岗", p: at(150, 250), at: clockAt(10, 0),
			want: []string{"supervisor/P1/community", "street_chief/P8/zone/Z2/D2:away", "enforcer/T1:P6/street"}},
		{name: "only the 监督员 asked for", p: at(150, 250), at: clockAt(10, 0), post: data.PostSupervisor,
			want: []string{"supervisor/P1/community"}},
		{name: "a grid with its own day-shift 监督员, by day", p: at(350, 50), at: clockAt(10, 0),
			want: []string{"supervisor/P4/grid", "enforcer/T1:P6/street"}},
		{name: "the same grid at night has no 监督员", p: at(350, 50), at: clockAt(22, 0),
			want: []string{"enforcer/T1:P6/street"}},
		{name: "an unsupervised grid", p: at(450, 50), at: clockAt(10, 0),
			want: []string{"enforcer/T1:P6/street"}},
		{name: "10 m off 人民路 past 和平路, the end of S1 → no segment", p: at(310, 320), at: clockAt(10, 0),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street"}},
		{name: "east of 解放路 → its east-side segment", p: at(510, 180), at: clockAt(10, 0),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street", "maintainer/C/segment/S3"}},
		{name: "west of 解放路 → not the east side", p: at(490, 180), at: clockAt(10, 0),
			want: []string{"supervisor/P2/zone/Z1", "enforcer/T1:P6/street"}},
		{name: "between 友谊桥 (a POI end) and 友谊路 → S2", p: at(295, 60), at: clockAt(10, 0),
			want: []string{"supervisor/P1/community", "street_chief/P8/zone/Z2/D2:away", "enforcer/T1:P6/street", "maintainer/B/segment/S2"}},
		{name: "outside the town: nothing", p: at(2000, 2000), at: clockAt(10, 0), want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			ans := ix.OnDuty(duty.Query{Point: tc.p, At: tc.at, Post: tc.post}, nil)
			for _, od := range ans {
				got = append(got, brief(od))
				if od.Segment != nil {
					if want := tc.units[od.Segment.ID]; want != "" && od.Unit.Name != want {
						t.Errorf("segment %s: unit %q, want %q", od.Segment.ID, od.Unit.Name, want)
					}
					if math.Abs(od.Segment.Distance-distanceTo(tc.p, od.Segment.Road)) > 0.2 {
						t.Errorf("segment %s: distance %.1f m, want %.1f", od.Segment.ID, od.Segment.Distance, distanceTo(tc.p, od.Segment.Road))
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

// distanceTo is the distance from p to the fixture road (both run north–south).
func distanceTo(p orb.Point, road string) float64 {
	x := plane.ToMetres(p)[0]
	if road == "解放路" {
		return math.Abs(x - 500)
	}
	return math.Abs(x - 300)
}

// TestSegmentLines: segments run between the resolved ends along the road.
func TestSegmentLines(t *testing.T) {
	ix := mustBuild(t, csvTables(t, fixtureLists()), fixtureCity(t))
	for id, want := range map[string][2]orb.Point{
		"S1": {{300, 100}, {300, 300}}, // 友谊路 → 和平路 through the vertex at y = 200
		"S2": {{300, 30}, {300, 100}},  // 友谊桥 (POI 5 m off the road) → 友谊路
		"S3": {{500, 0}, {500, 400}},   // the whole of 解放路
	} {
		s := ix.Segment(id)
		if s == nil {
			t.Fatalf("no segment %s", id)
		}
		l := s.Line[0]
		for i, p := range []orb.Point{l[0], l[len(l)-1]} {
			if d := plane.Distance(p, plane.FromMetres(want[i])); d > 0.5 {
				t.Errorf("%s end %d at %v m, want %v (%.1f m off)", id, i, plane.ToMetres(p), want[i], d)
			}
		}
		wantLen := want[1][1] - want[0][1]
		if math.Abs(s.Length-wantLen) > 0.5 {
			t.Errorf("%s: length %.1f m, want %.1f", id, s.Length, wantLen)
		}
	}
}

// TestImportFindings: each bad list is refused with a finding naming the row and field.
func TestImportFindings(t *testing.T) {
	c := fixtureCity(t)
	for _, tc := range []struct {
		name   string
		change func(map[duty.List][][]string)
		source string
		row    int
		field  string
		reason string
	}{
		{"a grid claimed by two zones for one post", func(l map[duty.List][][]string) {
			l[duty.ListZones] = append(l[duty.ListZones], []string{"Z3", "甲一", "责任网格", gridCode(0, 0)})
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"G9", "街长", "Z3", "", "", "P8", "", ""})
		}, "assignments.csv", 10, "post", "zone Z3 claims grid 440303001001001, also in zone Z2"},
		{"two of one post on one zone at once", func(l map[duty.List][][]string) {
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"G9", "街长", "Z2", "", "", "P8", "", ""})
		}, "assignments.csv", 10, "post", "claims zone Z2"},
		{"an end that does not resolve", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "人民路（友谊路至不存在桥）", ""})
		}, "segments.csv", 5, "name", "end 不存在桥: no place of that name"},
		{"a cross street that never meets the road", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "人民路（友谊路至解放路）", ""})
		}, "segments.csv", 5, "name", "人民路 and 解放路 do not meet (closest 200 m apart)"},
		{"a road the dataset does not have", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "青年路（友谊路至和平路）", ""})
		}, "segments.csv", 5, "name", "no road 青年路"},
		{"two overlapping segments for one post and side", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "人民路（友谊桥至和平路）", ""})
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"R9", "养护作业人员", "", "S9", "", "C", "", ""})
		}, "assignments.csv", 10, "post", "segment S9 overlaps segment S1 by about 20"},
		{"a side the road does not have", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "友谊路东侧", ""})
		}, "segments.csv", 5, "name", "runs east–west here; 东侧 names no side"},
		{"a grid the dataset does not have", func(l map[duty.List][][]string) {
			l[duty.ListZones] = append(l[duty.ListZones], []string{"Z9", "虚", "", "440303001001099"})
		}, "zones.csv", 4, "grids", "no grid with this code"},
		{"two assignments of one community and post", func(l map[duty.List][][]string) {
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"G9", "监督员", "", "", comA, "P4", "", "night"})
		}, "assignments.csv", 10, "post", "claims area 440303001001"},
		{"two stand-ins for one person at once", func(l map[duty.List][][]string) {
			l[duty.ListDelegations] = append(l[duty.ListDelegations], []string{"D9", "A", "C", "", "", "22:00-23:00", ""})
		}, "delegations.csv", 4, "from", "also handed on by delegation D1"},
		{"an unknown person", func(l map[duty.List][][]string) {
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"G9", "监督员", "", "", gridCode(5, 3), "P99", "", ""})
		}, "assignments.csv", 10, "person", "no person record"},
		{"a bad window", func(l map[duty.List][][]string) {
			l[duty.ListShifts] = append(l[duty.ListShifts], []string{"odd", "怪班", "", "25:00-08:00"})
		}, "shifts.csv", 4, "window", "want HH:MM"},
		{"an unparsable segment text", func(l map[duty.List][][]string) {
			l[duty.ListSegments] = append(l[duty.ListSegments], []string{"S9", "人民路（友谊路）", ""})
		}, "segments.csv", 5, "name", "want two ends"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lists := fixtureLists()
			tc.change(lists)
			r, fs := duty.Parse(csvTables(t, lists))
			if fs.Errors() == 0 {
				_, bfs := duty.Build(r, c, duty.Options{})
				fs = append(fs, bfs...)
			}
			if fs.Err() == nil {
				t.Fatal("accepted")
			}
			for _, f := range fs {
				if !f.Warning && f.Source == tc.source && f.Row == tc.row && f.Field == tc.field && strings.Contains(f.Reason, tc.reason) {
					return
				}
			}
			t.Errorf("no error at %s row %d field %s saying %q; got:\n%v", tc.source, tc.row, tc.field, tc.reason, fs)
		})
	}
}

// TestCoverage lists exactly the gaps seeded in the fixture.
func TestCoverage(t *testing.T) {
	ix := mustBuild(t, csvTables(t, fixtureLists()), fixtureCity(t))
	got := ix.Coverage()
	want := duty.Coverage{Grids: 24, Supervised: 22,
		Unsupervised: []string{gridCode(4, 3), gridCode(5, 3)},
		PartTime:     []duty.GridGap{{Grid: gridCode(3, 3), OpenHours: 84}},
		MainRoads:    4,
		RoadsWithout: []duty.RoadGap{{Name: "友谊路", Class: data.RoadSecondary, LengthM: 600}, {Name: "和平路", Class: data.RoadSecondary, LengthM: 600}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

// TestShiftWeekAgreesWithCovers: the minute bitmaps the lookup reads say what Shift.Covers and
// Delegation.ActiveAt say, for wrapping windows and weekdays too.
func TestShiftWeekAgreesWithCovers(t *testing.T) {
	lists := fixtureLists()
	lists[duty.ListShifts] = append(lists[duty.ListShifts],
		[]string{"wk", "工作日夜班", "周一至周五", "22:00-06:00"}, []string{"we", "周末", "周末", "全天"})
	lists[duty.ListAssignments] = append(lists[duty.ListAssignments],
		[]string{"W1", "巡查员", "", "", gridCode(0, 0), "P1", "", "wk"}, []string{"W2", "巡查员", "", "", gridCode(1, 0), "P1", "", "we"})
	c := fixtureCity(t)
	ix := mustBuild(t, csvTables(t, lists), c)
	shifts := map[string]*data.Shift{}
	for _, s := range ix.Roster().Shifts {
		shifts[s.ID] = s
	}
	for _, tc := range []struct {
		grid  int
		shift string
	}{{0, "wk"}, {1, "we"}} {
		p := at(float64(tc.grid)*100+50, 350)
		for m := 0; m < 7*24*60; m += 17 {
			tm := time.Date(2026, 11, 16, 0, 0, 0, 0, cst).Add(time.Duration(m) * time.Minute) // a Monday
			on := slices.ContainsFunc(ix.OnDuty(duty.Query{Point: p, At: tm, Post: data.PostPatroller}, nil),
				func(o data.OnDuty) bool { return o.Post == data.PostPatroller })
			if want := shifts[tc.shift].Covers(tm); on != want {
				t.Fatalf("shift %s at %s: lookup says %v, Covers says %v", tc.shift, tm.Format("Mon 15:04"), on, want)
			}
		}
	}
}

// TestZoneShape: a zone's outline runs round its grids (the fixture's zones are rectangles of
// 100 m grids), and its label lies in one of them.
func TestZoneShape(t *testing.T) {
	ix := mustBuild(t, csvTables(t, fixtureLists()), fixtureCity(t))
	for id, perimeter := range map[string]float64{"Z1": 1200, "Z2": 1400} {
		outline, label, ok := ix.ZoneShape(id)
		if !ok {
			t.Fatalf("no zone %s", id)
		}
		length := 0.0
		for _, l := range outline {
			for i := 1; i < len(l); i++ {
				length += plane.Distance(l[i-1], l[i])
			}
		}
		if math.Abs(length-perimeter) > 1 {
			t.Errorf("%s: outline %.1f m long, want %.0f", id, length, perimeter)
		}
		grids, _ := ix.ZoneGrids(id)
		if !slices.ContainsFunc(grids, func(g *data.Grid) bool { return g.Polygon.Bound().Contains(label) }) {
			t.Errorf("%s: label %v in none of its grids", id, label)
		}
	}
}

// TestResolveSegment geocodes segment texts on the fixture town: a stretch of road between two
// ends, or a refusal that says why.
func TestResolveSegment(t *testing.T) {
	c := fixtureCity(t)
	s, err := duty.ResolveSegment(c, "人民路（18号至和平路）", duty.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 人民路18号 stands at y = 150 m on the east side; 和平路 crosses at y = 300 m.
	if s.RoadName != "人民路" || math.Abs(s.Length-150) > 1 {
		t.Errorf("resolved %s, %.1f m long; want 人民路, 150 m", s.RoadName, s.Length)
	}
	for text, want := range map[string]error{"人民路（友谊路至不存在桥）": duty.ErrUnresolved, "（友谊路至和平路）": gazetteer.ErrSegmentText} {
		if _, err := duty.ResolveSegment(c, text, duty.Options{}); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", text, err, want)
		}
	}
}

// TestHolds: the on-duty filter of the nearest search (field.Duty) follows the same rules, by
// person, handset and team, with delegations.
func TestHolds(t *testing.T) {
	c := fixtureCity(t)
	ix := mustBuild(t, csvTables(t, fixtureLists()), c)
	person := func(id string) *data.Device { return &data.Device{ID: "h-" + id, Kind: data.DevicePerson, Subject: id} }
	for _, tc := range []struct {
		name string
		d    *data.Device
		p    orb.Point
		at   time.Time
		want bool
	}{
		{"A holds S1 by day", person("A"), at(310, 180), clockAt(10, 0), true},
		{"A has handed S1 to B at 20:00", person("A"), at(310, 180), clockAt(20, 0), false},
		{"B holds S1 at 20:00", person("B"), at(310, 180), clockAt(20, 0), true},
		{"B does not hold S1 by day", person("B"), at(310, 180), clockAt(10, 0), false},
		{"the zone's 监督员", person("P2"), at(310, 180), clockAt(10, 0), true},
		{"a 监督员 of another place", person("P4"), at(310, 180), clockAt(10, 0), false},
		{"a member of the street's enforcement team", &data.Device{ID: "car-1", Kind: data.DeviceVehicle, Subject: "粤B1", Team: "T1"}, at(310, 180), clockAt(10, 0), true},
		{"a vehicle of no team", &data.Device{ID: "car-2", Kind: data.DeviceVehicle, Subject: "粤B2"}, at(310, 180), clockAt(10, 0), false},
		{"outside the town", person("P2"), at(2000, 2000), clockAt(10, 0), false},
		{"a device the registry does not list", nil, at(310, 180), clockAt(10, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ix.Holds(tc.d, tc.p, tc.at); got != tc.want {
				t.Errorf("Holds = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestZonesOf: the zones a device's person or team is assigned to, for the time-in-zone of a
// patrol day.
func TestZonesOf(t *testing.T) {
	ix := mustBuild(t, csvTables(t, fixtureLists()), fixtureCity(t))
	for _, tc := range []struct {
		d    *data.Device
		want string
	}{
		{&data.Device{ID: "h-P2", Subject: "P2"}, "[Z1]"},
		{&data.Device{ID: "h-P5", Subject: "P5"}, "[Z2]"}, // the post holder, away or not
		{&data.Device{ID: "h-A", Subject: "A"}, "[]"},     // a segment's crew, no zone
		{nil, "[]"},
	} {
		if got := fmt.Sprint(ix.ZonesOf(tc.d)); got != tc.want {
			t.Errorf("ZonesOf(%+v) = %s, want %s", tc.d, got, tc.want)
		}
	}
}
