package dispatch

import (
	"context"
	"fmt"
	"math"
	"time"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// Place is where a point falls in the city: its unit grid and area chain.
type Place struct {
	Grid                        *data.Grid
	Community, Street, District *data.Area
	Outside                     bool // the point lies outside every grid and area
}

// Locator is the part of the city index dispatch needs (geo.Index through GeoLocator).
type Locator interface {
	Locate(p orb.Point) Place
	// NearestOfClass returns the nearest component of a class (major+minor code) within radius
	// metres, or nil.
	NearestOfClass(p orb.Point, class string, radius float64) (*data.Component, float64)
	Component(id string) *data.Component
	// ToCGCS2000 converts a point from a named CRS ("wgs84", "cgcs2000", "gcj02", "bd09").
	ToCGCS2000(p orb.Point, crs string) (orb.Point, error)
}

// Geocoder turns an address into a point (CGCS2000). The gazetteer provides the real one; it
// returns an error wrapping ErrAddressNotFound when nothing matches well enough.
type Geocoder interface {
	Geocode(ctx context.Context, address string) (orb.Point, error)
}

// DefaultBindRadius is how far a report may lie from the component it concerns (a Shanghai
// client uses 20 m).
const DefaultBindRadius = 20.0

// DefaultFallbackHours is the 处置时限 given when no rule decides (component department or
// street): 24 working hours.
const DefaultFallbackHours = 24.0

// Resolver answers dispatch requests for one dataset snapshot. The Feed is shared across
// snapshots. Zero-valued options take their defaults.
type Resolver struct {
	Locator       Locator
	Rules         *RuleSet
	Feed          *Feed    // nil: no duplicate search
	Geocoder      Geocoder // nil: addresses are refused
	Calendar      Calendar
	BindRadius    float64 // metres; 0: DefaultBindRadius
	FallbackHours float64 // working hours; 0: DefaultFallbackHours
	People        People  // nil: answers name no people
}

// Input is one dispatch request. Give Point (in CRS) or Address, or only Component (its
// position is used).
type Input struct {
	Point     *orb.Point `json:"point,omitempty"` // [lon, lat]
	CRS       string     `json:"crs,omitempty"`   // wgs84 (default), cgcs2000, gcj02, bd09
	Address   string     `json:"address,omitempty"`
	Class     string     `json:"class"`
	Scheme    string     `json:"scheme,omitempty"` // optional; from the code length
	Kind      string     `json:"kind,omitempty"`   // event or component; optional
	Component string     `json:"component,omitempty"`
	Time      string     `json:"time,omitempty"` // report time, RFC 3339; empty: At or now
	At        time.Time  `json:"-"`
}

// Path says which step of the precedence produced the department.
type Path string

// The answer paths, in the order they are tried.
const (
	PathRule       Path = "rule"                 // a duty rule (权责清单)
	PathMaintainer Path = "component.maintainer" // the bound component's 养护单位
	PathProperty   Path = "component.property"   // its 权属单位
	PathOwner      Path = "component.owner"      // its 主管部门
	PathStreet     Path = "street"               // 属地管理: the street of the place
	PathNone       Path = "none"                 // nothing decided: no rule, no component department, no area
)

// pathOfRole is the answer path of each department role of a component.
var pathOfRole = map[data.DeptRole]Path{
	data.RoleMaintainer: PathMaintainer, data.RoleProperty: PathProperty, data.RoleOwner: PathOwner,
}

// Bound is the component a report concerns.
type Bound struct {
	ID       string  `json:"id"`
	Class    string  `json:"class"`
	Name     string  `json:"name"`
	Distance float64 `json:"distance_m"`
	Given    bool    `json:"given"` // named in the request rather than found nearby
}

// RuleRef names the deciding rule.
type RuleRef struct {
	ID    string `json:"id"`
	Class string `json:"class"`
	Area  string `json:"area,omitempty"`
	Level string `json:"level"`
}

// Result is the dispatch answer.
type Result struct {
	Point         orb.Point     `json:"point"` // CGCS2000
	Grid          string        `json:"grid,omitempty"`
	Community     *data.AreaRef `json:"community,omitempty"`
	Street        *data.AreaRef `json:"street,omitempty"`
	District      *data.AreaRef `json:"district,omitempty"`
	Class         data.ClassRef `json:"class"`
	ClassName     string        `json:"class_name"`
	Component     *Bound        `json:"component,omitempty"`
	Department    data.DeptRef  `json:"department"`
	Path          Path          `json:"path"`
	Rule          *RuleRef      `json:"rule,omitempty"`
	Reported      time.Time     `json:"reported"`
	Deadline      time.Time     `json:"deadline"`
	DeadlineHours float64       `json:"deadline_hours"`
	WorkingHours  bool          `json:"working_hours"`
	Priority      int           `json:"priority,omitempty"`
	Duplicates    []Duplicate   `json:"duplicates"`
	// People are who is on duty at the place and report time (Resolver.People), with the
	// assignment and delegation that decided; absent when the resolver knows no people.
	People []data.OnDuty `json:"people,omitempty"`
}

// earliestReport and maxReportAhead bound a report time a request gives (Input.Time).
var earliestReport = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const maxReportAhead = 24 * time.Hour

// Resolve answers one dispatch request. Bad input comes back as an *InputError naming the
// field.
func (r *Resolver) Resolve(ctx context.Context, in Input) (*Result, error) {
	var class data.ClassRef
	scheme, err := data.ParseScheme(in.Scheme)
	if err == nil {
		class, err = data.ParseClassRef(in.Class, scheme, data.ClassKind(in.Kind))
	}
	if err != nil {
		return nil, inputErr("class", ErrUnknownClass, err.Error())
	}
	at := in.At
	if in.Time != "" {
		if at, err = time.Parse(time.RFC3339, in.Time); err != nil {
			return nil, inputErr("time", ErrBadTime, fmt.Sprintf("%q is not RFC 3339 (2006-01-02T15:04:05+08:00)", in.Time))
		}
		// A report time is when the case was seen: not before digital city management
		// existed, not tomorrow (a mistyped year would set its deadline, and stats, off by years).
		if at.Before(earliestReport) || at.After(time.Now().Add(maxReportAhead)) {
			return nil, inputErr("time", ErrBadTime, fmt.Sprintf("%q is not a report time: want one after %s and no later than a day from now", in.Time, earliestReport.Format("2006-01-02")))
		}
	}
	if at.IsZero() {
		at = time.Now()
	}
	var comp *data.Component
	if in.Component != "" {
		if comp = r.Locator.Component(in.Component); comp == nil {
			return nil, inputErr("component", ErrUnknownComponent, fmt.Sprintf("%q", in.Component))
		}
	}
	p, field, err := r.position(ctx, in, comp)
	if err != nil {
		return nil, err
	}
	pl := r.Locator.Locate(p)
	if pl.Outside {
		return nil, inputErr(field, ErrOutside, fmt.Sprintf("[%.6f, %.6f] is in no grid or area of the city", p[0], p[1]))
	}
	res := &Result{Point: p, Class: class, ClassName: class.Name(), Reported: at}
	chain := Chain{}
	if pl.Grid != nil {
		res.Grid, chain.Grid = pl.Grid.Code, pl.Grid.Code
	}
	res.Community, chain.Community = areaRef(pl.Community)
	res.Street, chain.Street = areaRef(pl.Street)
	res.District, chain.District = areaRef(pl.District)

	if comp != nil {
		res.Component = &Bound{ID: comp.ID, Class: comp.Class(), Name: comp.Name, Distance: componentDistance(comp, p), Given: true}
	} else if cc, ok := bindClass(class); ok {
		radius := r.BindRadius
		if radius <= 0 {
			radius = DefaultBindRadius
		}
		if c, d := r.Locator.NearestOfClass(p, cc, radius); c != nil {
			comp = c
			res.Component = &Bound{ID: c.ID, Class: c.Class(), Name: c.Name, Distance: math.Round(d*100) / 100}
		}
	}
	r.decide(res, class, chain, comp, pl, at)
	if r.People != nil {
		res.People = r.People.Responsible(p, pl.Grid, at)
	}
	if r.Feed != nil {
		q := DupQuery{Point: p, Class: class, At: at}
		if res.Component != nil {
			q.Component = res.Component.ID
		}
		res.Duplicates = r.Feed.Duplicates(q, nil)
	}
	if res.Duplicates == nil {
		res.Duplicates = []Duplicate{}
	}
	return res, nil
}

// decide walks the precedence: duty rule, the component's own departments, the street.
func (r *Resolver) decide(res *Result, class data.ClassRef, chain Chain, comp *data.Component, pl Place, at time.Time) {
	loc := r.Calendar.loc()
	lt := at.In(loc)
	clock := data.Clock(lt.Hour()*60 + lt.Minute())
	if rule := r.Rules.Match(class, chain, res.Point, clock); rule != nil {
		res.Department, res.Path = rule.Department, PathRule
		res.Rule = &RuleRef{ID: rule.ID, Class: rule.Class.Code, Area: rule.Area, Level: rule.Level().String()}
		res.DeadlineHours, res.WorkingHours, res.Priority = rule.DeadlineHours, rule.WorkingHours, rule.Priority
	} else {
		res.DeadlineHours, res.WorkingHours = r.FallbackHours, true
		if res.DeadlineHours <= 0 {
			res.DeadlineHours = DefaultFallbackHours
		}
		var role data.DeptRole
		var owned bool
		if comp != nil {
			res.Department, role, owned = comp.Responsible()
		}
		switch {
		case owned:
			res.Path = pathOfRole[role]
		case pl.Street != nil:
			res.Department, res.Path = data.DeptRef{Code: pl.Street.Code, Name: pl.Street.Name}, PathStreet
		case pl.District != nil: // a point with no street level still has a 属地
			res.Department, res.Path = data.DeptRef{Code: pl.District.Code, Name: pl.District.Name}, PathStreet
		default:
			res.Path = PathNone
		}
	}
	res.Deadline = r.Calendar.Deadline(at, res.DeadlineHours, res.WorkingHours)
}

// position finds the report's CGCS2000 point and the input field it came from.
func (r *Resolver) position(ctx context.Context, in Input, comp *data.Component) (orb.Point, string, error) {
	switch {
	case in.Point != nil:
		p := *in.Point
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return p, "point", inputErr("point", ErrBadCoordinate, fmt.Sprintf("[%g, %g] is not [lon, lat]", p[0], p[1]))
		}
		crs := in.CRS
		if crs == "" {
			crs = "wgs84"
		}
		q, err := r.Locator.ToCGCS2000(p, crs)
		if err != nil {
			return p, "crs", inputErr("crs", ErrBadInput, err.Error())
		}
		return q, "point", nil
	case in.Address != "":
		if r.Geocoder == nil {
			return orb.Point{}, "address", inputErr("address", ErrNoGeocoder, "")
		}
		p, err := r.Geocoder.Geocode(ctx, in.Address)
		if err != nil {
			return p, "address", &InputError{Field: "address", Reason: fmt.Sprintf("%q", in.Address), Err: fmt.Errorf("%w: %w", ErrAddressNotFound, err)}
		}
		return p, "address", nil
	case comp != nil && comp.Geometry != nil:
		return componentPoint(comp), "component", nil
	}
	return orb.Point{}, "point", inputErr("point", ErrNoPosition, "give point, address or component")
}

// bindClass returns the component class a report of this class binds to: a component class
// itself, or a GB/T 47678.5 事项 of majors 01–05 ("X异常", same code as the component).
func bindClass(c data.ClassRef) (string, bool) {
	if c.IsMajor() {
		return "", false
	}
	if c.Kind == data.KindComponent {
		return c.Code, true
	}
	if c.Scheme == data.GBT4767 {
		if _, ok := data.CatalogFor(data.GBT4767).Class(c.Code); ok {
			return c.Code, true
		}
	}
	return "", false
}

func areaRef(a *data.Area) (*data.AreaRef, string) {
	if a == nil {
		return nil, ""
	}
	return a.Ref(), a.Code
}

// componentPoint is a component's representative point: the point itself, or its bound centre.
func componentPoint(c *data.Component) orb.Point {
	if p, ok := c.Geometry.(orb.Point); ok {
		return p
	}
	return c.Geometry.Bound().Center()
}

func componentDistance(c *data.Component, p orb.Point) float64 {
	if c.Geometry == nil {
		return 0
	}
	return math.Round(geo.Distance(componentPoint(c), p)*100) / 100
}
