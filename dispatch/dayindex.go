package dispatch

import (
	"slices"
	"time"

	"citygeo/data"
)

// dayIndex holds every event of the feed by its report day in the city's time zone (GMT+8),
// each as a compact record: statistics and queries over a period read the days of the period,
// not every event. It lives under the feed's mu.
type dayIndex struct {
	days     map[int32][]dayRec
	first    int32 // the earliest and latest day holding events; first > last when none
	last     int32
	strs     intern // area, grid, department and source codes
	classes  map[data.ClassRef]uint32
	classOf  []data.ClassRef // by class key
	deptName map[string]string
}

// The keys of a dayRec, one per grouping.
const (
	keyDistrict = iota
	keyStreet
	keyCommunity
	keyGrid
	keyDept
	keySource
	keyClass // into dayIndex.classOf, not strs
	nKeys
)

// dayRec is one event as statistics see it. Times are Unix nanoseconds, 0 when not set.
type dayRec struct {
	ev                                     *data.Event
	reported, dispatched, closed, deadline int64
	keys                                   [nKeys]uint32
}

// intern numbers strings: key 0 is "".
type intern struct {
	ids  map[string]uint32
	strs []string
}

func (in *intern) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

func newDayIndex() dayIndex {
	return dayIndex{days: map[int32][]dayRec{}, first: 1, last: 0,
		strs: intern{ids: map[string]uint32{"": 0}, strs: []string{""}}, classes: map[data.ClassRef]uint32{},
		deptName: map[string]string{}}
}

// cityDay is the day number (days since 1970-01-01) of t in GMT+8.
func cityDay(t time.Time) int32 {
	const offset = 8 * 3600
	s := t.Unix() + offset
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return int32(d)
}

// dayStart is the first instant of day d in GMT+8.
func dayStart(d int32) time.Time {
	return time.Unix(int64(d)*86400-8*3600, 0).In(chinaTime)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func (x *dayIndex) add(e *data.Event) {
	r := dayRec{ev: e, reported: e.Reported.UnixNano(), dispatched: nanos(e.Dispatched), closed: nanos(e.Closed),
		deadline: nanos(e.Deadline)}
	if !e.IsOpen() && r.closed == 0 {
		r.closed = r.reported // closed with no time: count it closed, at its report
	}
	if e.IsOpen() {
		r.closed = 0
	}
	for k, s := range [...]string{keyDistrict: e.District, keyStreet: e.Street, keyCommunity: e.Community,
		keyGrid: e.Grid, keyDept: e.Department.Code, keySource: e.Source} {
		r.keys[k] = x.strs.id(s)
	}
	if e.Department.Code != "" && e.Department.Name != "" {
		x.deptName[e.Department.Code] = e.Department.Name
	}
	c, ok := x.classes[e.Class]
	if !ok {
		c = uint32(len(x.classOf))
		x.classes[e.Class] = c
		x.classOf = append(x.classOf, e.Class)
	}
	r.keys[keyClass] = c
	d := cityDay(e.Reported)
	x.days[d] = append(x.days[d], r)
	if x.first > x.last {
		x.first, x.last = d, d
	}
	x.first, x.last = min(x.first, d), max(x.last, d)
}

// remove drops e (the very version added) from its day.
func (x *dayIndex) remove(e *data.Event) {
	d := cityDay(e.Reported)
	recs := x.days[d]
	for i := range recs {
		if recs[i].ev == e {
			recs[i] = recs[len(recs)-1]
			recs[len(recs)-1] = dayRec{}
			recs = recs[:len(recs)-1]
			break
		}
	}
	if len(recs) == 0 {
		delete(x.days, d)
	} else {
		x.days[d] = recs
	}
	// first and last stay as bounds of the days held, maybe wider: readers skip empty days.
}

// openDeadlines is the sorted deadlines (Unix nanoseconds) of the open events that have one:
// how many are overdue at a moment is one binary search. A write moves at most a few hundred
// kilobytes in a city with tens of thousands of open cases; writes come a few a second.
type openDeadlines []int64

func (o *openDeadlines) add(t time.Time) {
	if t.IsZero() {
		return
	}
	n := t.UnixNano()
	i, _ := slices.BinarySearch(*o, n)
	*o = slices.Insert(*o, i, n)
}

func (o *openDeadlines) remove(t time.Time) {
	if t.IsZero() {
		return
	}
	if i, ok := slices.BinarySearch(*o, t.UnixNano()); ok {
		*o = slices.Delete(*o, i, i+1)
	}
}

// before counts the deadlines before t.
func (o openDeadlines) before(t time.Time) int {
	i, _ := slices.BinarySearch(o, t.UnixNano())
	return i
}
