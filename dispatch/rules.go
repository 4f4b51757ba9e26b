package dispatch

import (
	"fmt"
	"sort"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// RuleSet is a checked, indexed duty-rule list. It is immutable after NewRuleSet.
//
// Precedence: the rule with the most specific area wins (grid > polygon zone > community >
// street > district > whole city); at the same area level a minor-class rule beats a
// major-class rule; at the same area and class a rule whose time window covers the report
// time beats a rule without a window. Anything else that could match at once is a tie and is
// rejected by NewRuleSet, so a lookup never has to guess.
type RuleSet struct {
	rules    []*data.DutyRule
	byKey    map[ruleKey][]*data.DutyRule // area code ("" = city) + class → rules (windowed first)
	polygons map[data.ClassRef][]*data.DutyRule
}

type ruleKey struct {
	class data.ClassRef
	area  string
}

// NewRuleSet checks the rules for ties and indexes them. Every problem found is reported as a
// *RuleError in the returned RuleErrors.
func NewRuleSet(rules []*data.DutyRule) (*RuleSet, error) {
	s := &RuleSet{rules: rules, byKey: map[ruleKey][]*data.DutyRule{}, polygons: map[data.ClassRef][]*data.DutyRule{}}
	var errs RuleErrors
	index := map[*data.DutyRule]int{}
	for i, r := range rules {
		index[r] = i + 1
		if r.Level() == data.DutyPolygon {
			for _, o := range s.polygons[r.Class] {
				if windowsOverlap(o, r) && polygonsOverlap(o.Polygon, r.Polygon) {
					errs = append(errs, tieError(i+1, r, index[o], o, "polygon"))
				}
			}
			s.polygons[r.Class] = append(s.polygons[r.Class], r)
			continue
		}
		k := ruleKey{class: r.Class, area: r.Area}
		for _, o := range s.byKey[k] {
			if windowsOverlap(o, r) {
				errs = append(errs, tieError(i+1, r, index[o], o, "area"))
			}
		}
		s.byKey[k] = append(s.byKey[k], r)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, rs := range s.byKey {
		// Windowed rules first: they are checked before the all-day rule of the same key.
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Window != nil && rs[j].Window == nil })
	}
	return s, nil
}

// windowsOverlap reports whether two rules of the same key could both match at one time: both
// all-day, or both windowed with overlapping windows. An all-day rule beside a windowed rule is
// no tie (the window is more specific).
func windowsOverlap(a, b *data.DutyRule) bool {
	if a.Window == nil || b.Window == nil {
		return a.Window == nil && b.Window == nil
	}
	return a.Window.Overlaps(*b.Window)
}

// polygonsOverlap is a conservative test: the bounds meet and a vertex of one lies in the other.
// Two zones that cross without either holding a vertex of the other are not caught; zones in a
// 权责清单 are drawn around places (a market, a pedestrian street) and nest or stay apart.
func polygonsOverlap(a, b orb.MultiPolygon) bool {
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	return anyVertexIn(a, b) || anyVertexIn(b, a)
}

func anyVertexIn(a, b orb.MultiPolygon) bool {
	for _, p := range a {
		for _, r := range p {
			for _, pt := range r {
				if planar.MultiPolygonContains(b, pt) {
					return true
				}
			}
		}
	}
	return false
}

func tieError(rec int, r *data.DutyRule, otherRec int, o *data.DutyRule, field string) *RuleError {
	where := "area " + r.Area
	if r.Area == "" && len(r.Polygon) == 0 {
		where = "the whole city"
	} else if len(r.Polygon) > 0 {
		where = "overlapping polygons"
	}
	return &RuleError{Record: rec, ID: r.ID, Field: field, Value: r.Area,
		Reason: fmt.Sprintf("ties with record %d (%s): both give class %s in %s%s; make one more specific or give them disjoint time windows",
			otherRec, o.ID, r.Class.Code, where, windowText(r, o))}
}

func windowText(a, b *data.DutyRule) string {
	if a.Window == nil && b.Window == nil {
		return ""
	}
	return " at overlapping times"
}

// Rules returns the rules in input order.
func (s *RuleSet) Rules() []*data.DutyRule { return s.rules }

// Len returns the number of rules.
func (s *RuleSet) Len() int { return len(s.rules) }

// Chain is the area chain of a located point, as codes ("" where unknown).
type Chain struct {
	Grid, Community, Street, District string
}

// Match returns the deciding rule for a class at a place and time of day, or nil when no rule
// applies. p is only used for polygon-zone rules.
func (s *RuleSet) Match(class data.ClassRef, chain Chain, p orb.Point, at data.Clock) *data.DutyRule {
	if s == nil {
		return nil
	}
	classes := []data.ClassRef{class, class.MajorRef()}
	if class.IsMajor() {
		classes = classes[:1]
	}
	if r := s.matchArea(classes, chain.Grid, at); r != nil {
		return r
	}
	if len(s.polygons) > 0 {
		for _, c := range classes {
			if r := s.matchPolygon(c, p, at); r != nil {
				return r
			}
		}
	}
	for _, area := range [...]string{chain.Community, chain.Street, chain.District} {
		if r := s.matchArea(classes, area, at); r != nil {
			return r
		}
	}
	return s.matchKey(classes, "", at) // city-wide rules
}

// matchArea returns the rule for an area code, minor class first. A missing level of the chain
// ("") matches nothing.
func (s *RuleSet) matchArea(classes []data.ClassRef, area string, at data.Clock) *data.DutyRule {
	if area == "" {
		return nil
	}
	return s.matchKey(classes, area, at)
}

// matchKey returns the rule for an area key ("" = the whole city), minor class first.
func (s *RuleSet) matchKey(classes []data.ClassRef, area string, at data.Clock) *data.DutyRule {
	for _, c := range classes {
		for _, r := range s.byKey[ruleKey{class: c, area: area}] {
			if r.Window == nil || r.Window.Contains(at) {
				return r
			}
		}
	}
	return nil
}

func (s *RuleSet) matchPolygon(c data.ClassRef, p orb.Point, at data.Clock) *data.DutyRule {
	var allDay *data.DutyRule
	for _, r := range s.polygons[c] {
		if !r.Polygon.Bound().Contains(p) || !planar.MultiPolygonContains(r.Polygon, p) {
			continue
		}
		if r.Window == nil {
			allDay = r
			continue
		}
		if r.Window.Contains(at) {
			return r
		}
	}
	return allDay
}

// RuleError names a bad duty rule: its record, its id, the field and the value at fault. From
// ParseRulesCSV the record is the CSV line (the header is line 1); from ParseRulesJSON the
// 1-based array position; from NewRuleSet (ties) the 1-based position in the rule list.
type RuleError struct {
	Record int
	ID     string
	Field  string
	Value  string
	Reason string
}

// Error names the record, its id, the field and its value, then why it is refused.
func (e *RuleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "duty rule record %d", e.Record)
	if e.ID != "" {
		fmt.Fprintf(&b, " (%s)", e.ID)
	}
	fmt.Fprintf(&b, ": %s", e.Field)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	return b.String() + ": " + e.Reason
}

// RuleErrors is every problem found in a rule list.
type RuleErrors []*RuleError

// Error lists every problem, one a line, after their count.
func (es RuleErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	msgs := make([]string, 0, len(es))
	for _, e := range es {
		msgs = append(msgs, e.Error())
	}
	return fmt.Sprintf("%d bad duty rules:\n%s", len(es), strings.Join(msgs, "\n"))
}
