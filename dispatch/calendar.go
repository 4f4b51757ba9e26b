package dispatch

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"citygeo/data"
)

// China has kept UTC+8 without daylight saving since 1991, so a fixed zone needs no tzdata.
var chinaTime = time.FixedZone("CST", 8*3600)

// DefaultPeriods are the working periods of a government office day: 08:30–12:00 and
// 14:00–18:00 (many cities shift the afternoon to 14:30–18:00 in summer; configure Periods).
var DefaultPeriods = []data.TimeWindow{{From: 8*60 + 30, To: 12 * 60}, {From: 14 * 60, To: 18 * 60}}

// Calendar counts working hours for 处置时限 given in working hours. The zero value is
// Monday–Friday, DefaultPeriods, China time and no holidays.
//
// Chinese public holidays and their make-up working days (调休) change every year by State
// Council notice and are not built in: list them in Holidays and Workdays ("2006-01-02").
type Calendar struct {
	Location *time.Location    // nil: UTC+8
	Periods  []data.TimeWindow // working periods of a day, in order, not wrapping midnight; nil: DefaultPeriods
	Weekend  []time.Weekday    // nil: Saturday and Sunday
	Holidays []string          // dates off that would be working days
	Workdays []string          // weekend dates worked (调休)
}

// maxDays bounds the day walk: a deadline a year of working days away is a data error.
const maxDays = 3 * 366

// Validate checks the periods and dates.
func (c *Calendar) Validate() error {
	var last data.Clock = -1
	for i, p := range c.Periods {
		if p.From >= p.To || p.From < 0 || p.To > 24*60 {
			return fmt.Errorf("calendar period %d (%s-%s): want from < to within a day", i+1, p.From, p.To)
		}
		if p.From < last {
			return fmt.Errorf("calendar period %d (%s-%s): periods must be in order and not overlap", i+1, p.From, p.To)
		}
		last = p.To
	}
	for _, d := range append(append([]string{}, c.Holidays...), c.Workdays...) {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("calendar date %q: want YYYY-MM-DD", d)
		}
	}
	return nil
}

// Deadline returns the instant a time limit of hours runs out from start: calendar hours when
// working is false, else hours counted only inside working periods. The answer is in the
// calendar's zone.
func (c *Calendar) Deadline(start time.Time, hours float64, working bool) time.Time {
	loc := c.loc()
	d := time.Duration(hours * float64(time.Hour))
	if !working {
		return start.Add(d).In(loc)
	}
	return c.AddWorking(start, d)
}

// AddWorking adds d of working time to start.
func (c *Calendar) AddWorking(start time.Time, d time.Duration) time.Time {
	loc := c.loc()
	t := start.In(loc)
	periods := c.Periods
	if periods == nil {
		periods = DefaultPeriods
	}
	if len(periods) == 0 || d <= 0 {
		return t.Add(max(d, 0))
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for range maxDays {
		if c.isWorkday(day) {
			for _, p := range periods {
				from := day.Add(time.Duration(p.From) * time.Minute)
				to := day.Add(time.Duration(p.To) * time.Minute)
				if t.After(from) {
					from = t
				}
				if !from.Before(to) {
					continue
				}
				if avail := to.Sub(from); d <= avail {
					return from.Add(d)
				} else {
					d -= avail
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return t.Add(d) // unreachable with sane periods; keep the answer finite
}

func (c *Calendar) loc() *time.Location {
	if c == nil || c.Location == nil {
		return chinaTime
	}
	return c.Location
}

func (c *Calendar) isWorkday(day time.Time) bool {
	if len(c.Holidays) > 0 || len(c.Workdays) > 0 {
		ds := day.Format(time.DateOnly)
		for _, h := range c.Holidays {
			if h == ds {
				return false
			}
		}
		for _, w := range c.Workdays {
			if w == ds {
				return true
			}
		}
	}
	wd := day.Weekday()
	if c.Weekend == nil {
		return wd != time.Saturday && wd != time.Sunday
	}
	for _, w := range c.Weekend {
		if w == wd {
			return false
		}
	}
	return true
}

// calendarFile is a working calendar as a file writes it.
type calendarFile struct {
	Periods  []string `json:"periods"`  // "08:30-12:00"
	Weekend  []string `json:"weekend"`  // "saturday", "sunday" (English names, any case)
	Holidays []string `json:"holidays"` // "2026-10-01"
	Workdays []string `json:"workdays"` // "2026-09-27"
}

// ParseCalendar reads a working calendar as JSON, every key optional:
//
//	{"periods": ["08:30-12:00", "14:00-18:00"], "weekend": ["saturday", "sunday"],
//	 "holidays": ["2026-10-01", "2026-10-02"], "workdays": ["2026-09-27"]}
//
// A year's public holidays and make-up working days (调休) come from the State Council's notice.
// The calendar is checked (Validate); an error names the key and value at fault.
func ParseCalendar(r io.Reader) (Calendar, error) {
	var f calendarFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Calendar{}, fmt.Errorf("calendar: %w", err)
	}
	c := Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	for _, p := range f.Periods {
		from, to, ok := strings.Cut(p, "-")
		a, err1 := data.ParseClock(strings.TrimSpace(from))
		b, err2 := data.ParseClock(strings.TrimSpace(to))
		if !ok || err1 != nil || err2 != nil {
			return Calendar{}, fmt.Errorf("calendar periods: %q: want HH:MM-HH:MM", p)
		}
		c.Periods = append(c.Periods, data.TimeWindow{From: a, To: b})
	}
	if f.Weekend != nil {
		c.Weekend = []time.Weekday{} // given empty: every day is a working day
	}
	for _, w := range f.Weekend {
		d, ok := weekdays[strings.ToLower(strings.TrimSpace(w))]
		if !ok {
			return Calendar{}, fmt.Errorf("calendar weekend: %q: want a day's English name (saturday)", w)
		}
		c.Weekend = append(c.Weekend, d)
	}
	return c, c.Validate()
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
