package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/dispatch"
)

func TestCalendar(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	national := dispatch.Calendar{Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05"}, Workdays: []string{"2026-10-10"}}
	summer := dispatch.Calendar{Periods: []data.TimeWindow{{From: 8*60 + 30, To: 12 * 60}, {From: 14*60 + 30, To: 18 * 60}}}
	sixDays := dispatch.Calendar{Weekend: []time.Weekday{time.Sunday}}
	tests := []struct {
		name    string
		cal     dispatch.Calendar
		start   string
		hours   float64
		working bool
		want    string
	}{
		{"calendar hours ignore the clock", dispatch.Calendar{}, "2026-11-21 23:00", 2, false, "2026-11-22 01:00"},
		{"within a morning", dispatch.Calendar{}, "2026-11-18 09:00", 2, true, "2026-11-18 11:00"},
		{"across lunch", dispatch.Calendar{}, "2026-11-18 11:00", 2, true, "2026-11-18 15:00"},
		{"ends exactly at noon", dispatch.Calendar{}, "2026-11-18 08:30", 3.5, true, "2026-11-18 12:00"},
		{"before opening", dispatch.Calendar{}, "2026-11-18 06:00", 1, true, "2026-11-18 09:30"},
		{"after closing", dispatch.Calendar{}, "2026-11-18 19:00", 1, true, "2026-11-19 09:30"},
		{"reported on Saturday", dispatch.Calendar{}, "2026-11-21 10:00", 1, true, "2026-11-23 09:30"},
		{"a full week is 37.5 hours", dispatch.Calendar{}, "2026-11-16 08:30", 37.5, true, "2026-11-20 18:00"},
		{"national day holidays", national, "2026-09-30 17:00", 2, true, "2026-10-06 09:30"},
		{"make-up Saturday", national, "2026-10-09 17:30", 1, true, "2026-10-10 09:00"},
		{"summer afternoon", summer, "2026-07-01 11:00", 2, true, "2026-07-01 15:30"},
		{"six-day week", sixDays, "2026-11-20 17:00", 2, true, "2026-11-21 09:30"},
		{"UTC start", dispatch.Calendar{}, "2026-11-18 09:00", 1, true, "2026-11-18 10:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cal.Validate(); err != nil {
				t.Fatal(err)
			}
			start := at(tc.start)
			if tc.name == "UTC start" {
				start = start.UTC()
			}
			got := tc.cal.Deadline(start, tc.hours, tc.working)
			if w := at(tc.want); !got.Equal(w) {
				t.Errorf("got %s, want %s", got.Format(time.RFC3339), w.Format(time.RFC3339))
			}
		})
	}
	for _, bad := range []dispatch.Calendar{
		{Periods: []data.TimeWindow{{From: 600, To: 500}}},
		{Periods: []data.TimeWindow{{From: 600, To: 700}, {From: 650, To: 800}}},
		{Holidays: []string{"2026-13-01"}},
	} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted a bad calendar", bad)
		}
	}
}

// TestParseCalendar reads a calendar file: the State Council's National Day holidays and their
// make-up Sunday move a deadline as the calendar built in code does; bad values name their key.
func TestParseCalendar(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	c, err := dispatch.ParseCalendar(strings.NewReader(`{"periods": ["08:30-12:00", "14:30-18:00"],
		"holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"], "workdays": ["2026-09-27"]}`))
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 30 September 17:00, 8 working hours: one that day, then none until Thursday
	// 8 October (1–2 and 5–7 off, 3–4 the weekend), whose two periods hold the other seven.
	start := time.Date(2026, 9, 30, 17, 0, 0, 0, cst)
	if got, want := c.Deadline(start, 8, true), time.Date(2026, 10, 8, 18, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("deadline %v, want %v (past the holidays, with the summer afternoon)", got, want)
	}
	sunday := time.Date(2026, 9, 27, 9, 0, 0, 0, cst) // a make-up working Sunday
	if got, want := c.Deadline(sunday, 2, true), time.Date(2026, 9, 27, 11, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("on the make-up Sunday: %v, want %v", got, want)
	}
	for _, bad := range []struct{ json, key string }{
		{`{"periods": ["8-12"]}`, "periods"},
		{`{"holidays": ["2026/10/01"]}`, "2026/10/01"},
		{`{"weekend": ["samedi"]}`, "weekend"},
		{`{"holiday": ["2026-10-01"]}`, "holiday"},
		{`{"periods": ["14:00-18:00", "08:30-12:00"]}`, "period"},
	} {
		if _, err := dispatch.ParseCalendar(strings.NewReader(bad.json)); err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("%s: %v, want an error naming %s", bad.json, err, bad.key)
		}
	}
}
