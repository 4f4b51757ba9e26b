package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Post is the duty a person holds on a place (岗位): the 监督员 who verifies cases in a grid,
// the 街长 of a 责任网格, the crew that keeps a road segment. A person has a title (Person.Post)
// but the post that counts for a place is the assignment's.
type Post string

// The posts citygeo knows. A city with other titles maps them onto these on import.
const (
	PostSupervisor  Post = "supervisor"   // 城管监督员: 核查/核实 of every case in its grids
	PostStreetChief Post = "street_chief" // 街长: heads a 责任网格 or a street section
	PostAreaChief   Post = "area_chief"   // 片长: heads a 片区
	PostGridWorker  Post = "grid_worker"  // 网格员
	PostEnforcer    Post = "enforcer"     // 执法队员 (or a 执法中队 as a team)
	PostMaintainer  Post = "maintainer"   // 养护作业人员 (or the 作业班组)
	PostPatroller   Post = "patroller"    // 巡查员
)

// Posts lists every post, in the order answers list them.
var Posts = []Post{PostSupervisor, PostStreetChief, PostAreaChief, PostGridWorker, PostEnforcer, PostMaintainer, PostPatroller}

// Chinese returns the post's Chinese name (监督员 …), "" for an unknown post.
func (p Post) Chinese() string {
	switch p {
	case PostSupervisor:
		return "监督员"
	case PostStreetChief:
		return "街长"
	case PostAreaChief:
		return "片长"
	case PostGridWorker:
		return "网格员"
	case PostEnforcer:
		return "执法队员"
	case PostMaintainer:
		return "养护作业人员"
	case PostPatroller:
		return "巡查员"
	}
	return ""
}

// postAliases are the other Chinese names a roster uses for a post.
var postAliases = map[string]Post{
	"城管监督员": PostSupervisor, "信息采集员": PostSupervisor, "采集员": PostSupervisor,
	"路长": PostStreetChief, "街巷长": PostStreetChief,
	"片区长":   PostAreaChief,
	"专职网格员": PostGridWorker,
	"执法员":   PostEnforcer, "执法中队": PostEnforcer, "城管队员": PostEnforcer,
	"养护人员": PostMaintainer, "作业人员": PostMaintainer, "保洁员": PostMaintainer, "养护单位": PostMaintainer,
	"巡查人员": PostPatroller,
}

// ParsePost accepts a post's code (supervisor), its Chinese name (监督员) or a common alias
// (城管监督员, 路长 …).
func ParsePost(s string) (Post, error) {
	s = strings.TrimSpace(s)
	for _, p := range Posts {
		if s == string(p) || s == p.Chinese() {
			return p, nil
		}
	}
	if p, ok := postAliases[s]; ok {
		return p, nil
	}
	names := make([]string, len(Posts))
	for i, p := range Posts {
		names[i] = string(p) + " (" + p.Chinese() + ")"
	}
	return "", fmt.Errorf("post %q: want one of %s", s, strings.Join(names, ", "))
}

// Person is one member of the city-management staff. Phone is personal data: the model keeps
// it, and the HTTP layer shows it only to roles allowed to call people.
type Person struct {
	ID         string  // 工号 or the roster's own id; unique
	Name       string  // 姓名
	Post       Post    // title; "" when the roster gives none
	Department DeptRef // 所属部门 or unit
	Team       string  // id of the Team (中队/班组) the person belongs to; "" when none
	Device     string  // handset / 城管通 terminal id, for pushing a case to it
	Phone      string  // personal: never shown to roles that may not see it
	Away       bool    // marked away (休假/外出): delegations "while away" take the post
}

// Team is a 中队 or 班组: a group assigned as one, answered by its leader.
type Team struct {
	ID         string
	Name       string
	Department DeptRef
	Leader     string // person id of the leader (队长/班长), who is called for the team; may be ""
}

// ZoneKind is what a zone is for.
type ZoneKind string

// The zone kinds of the plans citygeo serves.
const (
	ZoneDuty ZoneKind = "duty" // 责任网格: a 街长's or 监督员's patch
	ZoneWork ZoneKind = "work" // 工作网格
	ZoneArea ZoneKind = "area" // 片区: a 片长's district section
)

// ZoneKinds lists every zone kind.
var ZoneKinds = []ZoneKind{ZoneDuty, ZoneWork, ZoneArea}

// Chinese returns the zone kind's Chinese name.
func (k ZoneKind) Chinese() string {
	switch k {
	case ZoneDuty:
		return "责任网格"
	case ZoneWork:
		return "工作网格"
	case ZoneArea:
		return "片区"
	}
	return ""
}

// ParseZoneKind accepts a kind's code or Chinese name; "" is ZoneDuty.
func ParseZoneKind(s string) (ZoneKind, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ZoneDuty, nil
	}
	for _, k := range ZoneKinds {
		if s == string(k) || s == k.Chinese() {
			return k, nil
		}
	}
	return "", fmt.Errorf("zone kind %q: want duty (责任网格), work (工作网格) or area (片区)", s)
}

// Zone is a named set of unit grids, or a polygon: a 责任网格, 工作网格 or 片区. A polygon
// zone holds the grids whose centre lies inside it.
type Zone struct {
	ID      string
	Name    string
	Kind    ZoneKind
	Grids   []string         // 15-digit grid codes, or 12-digit community codes (all its grids)
	Polygon orb.MultiPolygon // instead of (or besides) Grids
}

// Side is the side of a road a segment covers: 东侧, 西侧, 南侧, 北侧, or both.
type Side string

// The sides of a road. SideBoth is the whole width.
const (
	SideBoth  Side = ""
	SideEast  Side = "east"
	SideWest  Side = "west"
	SideSouth Side = "south"
	SideNorth Side = "north"
)

// Chinese returns 东侧 … or 两侧 for SideBoth.
func (s Side) Chinese() string {
	switch s {
	case SideEast:
		return "东侧"
	case SideWest:
		return "西侧"
	case SideSouth:
		return "南侧"
	case SideNorth:
		return "北侧"
	}
	return "两侧"
}

// Unit returns the compass direction of the side as an {east, north} unit vector, {0, 0} for
// SideBoth.
func (s Side) Unit() orb.Point {
	switch s {
	case SideEast:
		return orb.Point{1, 0}
	case SideWest:
		return orb.Point{-1, 0}
	case SideNorth:
		return orb.Point{0, 1}
	case SideSouth:
		return orb.Point{0, -1}
	}
	return orb.Point{}
}

// Segment is a road segment as a duty list writes it: a named road between two named ends
// (cross streets, bridges, POIs, house numbers), or one side of it, or the whole road. Name is
// the text as written ("人民路（友谊桥至和平桥）"); Road, From, To and Side are what it says,
// parsed on import. The line along the road is resolved against a dataset version (package
// duty), so the same list serves every version.
type Segment struct {
	ID       string
	Name     string // as written
	Road     string // 人民路
	From, To string // the two ends; both "" for the whole road
	Side     Side
	Unit     DeptRef // the duty unit (责任单位, 门前三包 unit or maintenance contractor)
}

// Shift is a working time: weekdays and a time window (which may wrap midnight; a window that
// wraps belongs to the day it starts on).
type Shift struct {
	ID     string
	Name   string         // 白班, 夜班 …
	Days   []time.Weekday // nil: every day
	Window TimeWindow     // From == To: the whole day
}

// Covers reports whether local time t falls in the shift. A wrapping window's early hours
// belong to the previous day: a Monday 20:00–08:00 shift covers Tuesday 03:00.
func (s *Shift) Covers(t time.Time) bool { return covers(s.Days, &s.Window, t) }

// covers reports whether local time t falls in a window on one of days (nil: every day).
func covers(days []time.Weekday, w *TimeWindow, t time.Time) bool {
	c := Clock(t.Hour()*60 + t.Minute())
	if w != nil && !w.Contains(c) {
		return false
	}
	if len(days) == 0 {
		return true
	}
	d := t.Weekday()
	if w != nil && w.From > w.To && c < w.To {
		d = (d + 6) % 7 // the early hours of a shift that started yesterday
	}
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// Assignment puts a person or a team on a post for a place: a zone, a road segment, or an area
// (grid, community, street or district code), optionally only during a shift. Exactly one place
// and one of Person and Team are set.
type Assignment struct {
	ID      string
	Post    Post
	Zone    string // zone id
	Segment string // segment id
	Area    string // grid (15 or 14 digits), community (12), street (9) or district (6) code
	Person  string // person id
	Team    string // team id
	Shift   string // shift id; "" all the time
}

// Delegation hands a person's posts to another (A/B岗): during a window of the day, between two
// instants, while the first is marked away, or a combination — every condition given must
// hold.
type Delegation struct {
	ID        string
	From, To  string         // person ids: A's posts go to B
	Starts    time.Time      // zero: no start
	Ends      time.Time      // exclusive; zero: no end
	Window    *TimeWindow    // daily window (may wrap midnight); nil: all day
	Days      []time.Weekday // nil: every day
	WhileAway bool           // only while From is marked away
}

// ActiveAt reports whether the delegation holds at local time t, given whether its From
// person is marked away.
func (d *Delegation) ActiveAt(t time.Time, fromAway bool) bool {
	if d.WhileAway && !fromAway {
		return false
	}
	if !d.Starts.IsZero() && t.Before(d.Starts) {
		return false
	}
	if !d.Ends.IsZero() && !t.Before(d.Ends) {
		return false
	}
	return covers(d.Days, d.Window, t)
}

// Roster is a deployment's duty lists: who works, in which teams, over which zones and road
// segments, on which shifts, and who stands in for whom. It does not belong to a dataset
// version; package duty resolves it against one.
type Roster struct {
	People      []*Person
	Teams       []*Team
	Zones       []*Zone
	Segments    []*Segment
	Shifts      []*Shift
	Assignments []*Assignment
	Delegations []*Delegation
}
