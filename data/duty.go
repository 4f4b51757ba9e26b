package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// ClassRef names a component or event class in one catalog: the scheme, the kind (部件 or
// 事件/事项) and a major (2 digits) or major+minor code. The kind is needed because CJ/T 214
// uses the same major digits for components and events.
type ClassRef struct {
	Scheme Scheme    `json:"scheme"`
	Kind   ClassKind `json:"kind"`
	Code   string    `json:"code"`
}

// Major returns the 2-digit major class code.
func (c ClassRef) Major() string {
	if len(c.Code) < 2 {
		return c.Code
	}
	return c.Code[:2]
}

// IsMajor reports whether the reference names a whole major class.
func (c ClassRef) IsMajor() bool { return len(c.Code) == 2 }

// MajorRef returns the reference to the class's major class.
func (c ClassRef) MajorRef() ClassRef {
	return ClassRef{Scheme: c.Scheme, Kind: c.Kind, Code: c.Major()}
}

// String returns "event:0502@CJ/T 214-2007"-style text for messages.
func (c ClassRef) String() string { return fmt.Sprintf("%s:%s@%s", c.Kind, c.Code, c.Scheme) }

// Name returns the catalog name of the class, or "" when it is not in the catalog.
func (c ClassRef) Name() string {
	cl, ok := CatalogFor(c.Scheme).Lookup(c.Code, c.Kind)
	if !ok {
		return ""
	}
	return cl.Name
}

// ParseClassRef resolves a class code against the catalogs. scheme may be "" (then a 4-digit
// code is CJ/T 214, a 5-digit code GB/T 47678.5 and a 2-digit major CJ/T 214); kind may be ""
// (then a component class wins over an event class with the same digits, as Catalog.Lookup
// does). The class must exist in the catalog.
func ParseClassRef(code string, scheme Scheme, kind ClassKind) (ClassRef, error) {
	code = strings.TrimSpace(code)
	switch kind {
	case "", KindComponent, KindEvent:
	default:
		return ClassRef{}, fmt.Errorf("class kind %q: want %q or %q", kind, KindComponent, KindEvent)
	}
	switch scheme {
	case 0:
		if s, ok := SchemeOfClass(code); ok {
			scheme = s
		} else if len(code) == 2 {
			scheme = CJT214
		} else {
			return ClassRef{}, fmt.Errorf("class %q: want a 2-digit major, 4 digits (CJ/T 214-2007) or 5 digits (GB/T 47678.5-2026)", code)
		}
	case CJT214, GBT4767:
		if len(code) != 2 && len(code) != 2+scheme.MinorLen() {
			return ClassRef{}, fmt.Errorf("class %q: %s classes have 2 (major) or %d digits", code, scheme, 2+scheme.MinorLen())
		}
	default:
		return ClassRef{}, fmt.Errorf("scheme %q: want %q or %q", scheme, CJT214, GBT4767)
	}
	cl, ok := CatalogFor(scheme).Lookup(code, kind)
	if !ok {
		what := "class"
		if kind != "" {
			what = string(kind) + " class"
		}
		return ClassRef{}, fmt.Errorf("%s %q is not in the %s catalog", what, code, scheme)
	}
	return ClassRef{Scheme: scheme, Kind: cl.Kind, Code: code}, nil
}

// DutyLevel ranks how specific a duty rule's area is. Higher is more specific.
type DutyLevel int

// The area levels of a duty rule, least specific first. A polygon (a hand-drawn zone such as a
// pedestrian street or a market) ranks between a community and a grid.
const (
	DutyCity      DutyLevel = 0 // no area: the whole city
	DutyDistrict  DutyLevel = 1
	DutyStreet    DutyLevel = 2
	DutyCommunity DutyLevel = 3
	DutyPolygon   DutyLevel = 4
	DutyGrid      DutyLevel = 5
)

// String returns the English name of the level.
func (l DutyLevel) String() string {
	switch l {
	case DutyCity:
		return "city"
	case DutyDistrict:
		return "district"
	case DutyStreet:
		return "street"
	case DutyCommunity:
		return "community"
	case DutyPolygon:
		return "polygon"
	case DutyGrid:
		return "grid"
	}
	return fmt.Sprintf("DutyLevel(%d)", int(l))
}

// Clock is a time of day in minutes after midnight (0–1440).
type Clock int

// ParseClock reads "HH:MM" (24:00 allowed as the end of the day).
func ParseClock(s string) (Clock, error) {
	// Digit by digit: Sscanf's %02d also takes "-1" and "+1", which read -1:00 as an hour
	// before midnight.
	digit := func(i int) int {
		if c := s[i]; c >= '0' && c <= '9' {
			return int(c - '0')
		}
		return -1
	}
	if len(s) != 5 || s[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0 {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	h, m := digit(0)*10+digit(1), digit(3)*10+digit(4)
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time of day %q: want HH:MM between 00:00 and 24:00", s)
	}
	return Clock(h*60 + m), nil
}

// String returns "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// TimeWindow restricts a duty rule to part of the day, e.g. night-time noise (22:00–06:00,
// which wraps past midnight). From == To means the whole day.
type TimeWindow struct {
	From Clock `json:"from"`
	To   Clock `json:"to"`
}

// Contains reports whether a time of day (minutes after midnight) falls in the window.
func (w TimeWindow) Contains(c Clock) bool {
	switch {
	case w.From == w.To:
		return true
	case w.From < w.To:
		return c >= w.From && c < w.To
	default: // wraps midnight
		return c >= w.From || c < w.To
	}
}

// Overlaps reports whether two windows share any minute.
func (w TimeWindow) Overlaps(o TimeWindow) bool {
	if w.From == w.To || o.From == o.To {
		return true
	}
	return w.Contains(o.From) || o.Contains(w.From)
}

// DutyRule is one row of a 权责清单: for a class in an area (and optionally a time window), the
// department that must handle the case, the deadline (处置时限) and the case priority.
type DutyRule struct {
	ID    string   // as given in the rule list, for messages and answers
	Class ClassRef // major or minor class
	// Area is a district (6), street (9), community (12) or grid (15, or 14 legacy) code; ""
	// with no Polygon means the whole city.
	Area       string
	Polygon    orb.MultiPolygon // a zone instead of an area code
	Window     *TimeWindow      // nil: all day
	Department DeptRef
	// DeadlineHours is the 处置时限, counted in working hours when WorkingHours is set and
	// in calendar hours otherwise.
	DeadlineHours float64
	WorkingHours  bool
	Priority      int // the case priority it gives (1 = most urgent); not a tie-breaker
}

// Level returns how specific the rule's area is, from the length of its code.
func (r *DutyRule) Level() DutyLevel {
	if len(r.Polygon) > 0 {
		return DutyPolygon
	}
	switch len(r.Area) {
	case 0:
		return DutyCity
	case 6:
		return DutyDistrict
	case 9:
		return DutyStreet
	case 12:
		return DutyCommunity
	}
	return DutyGrid
}

// Deadline returns the rule's time limit as a duration (calendar or working time, see
// WorkingHours).
func (r *DutyRule) Deadline() time.Duration {
	return time.Duration(r.DeadlineHours * float64(time.Hour))
}
