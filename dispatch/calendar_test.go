package dispatch_test

import (
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
