package data_test

import (
	"testing"
	"time"

	"citygeo/data"
)

// TestDateRoundTrip checks every day from 1900 to 2100, and the edges of the calendar, against
// the time package: a date made from a day gives that day's midnight back, and days order as
// their times do.
func TestDateRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Time
	}{
		{"1900 to 2100", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"first days of the era", time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(1, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"leap days", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prev data.Date
			for day := tt.from; !day.After(tt.to); day = day.AddDate(0, 0, 1) {
				d := data.MakeDate(day.Date())
				if got := d.Time(); !got.Equal(day) || d.IsZero() {
					t.Fatalf("MakeDate(%s).Time() = %s", day.Format(time.DateOnly), got)
				}
				if d.String() != day.Format(time.DateOnly) {
					t.Fatalf("%s: String() = %q", day.Format(time.DateOnly), d.String())
				}
				if prev != 0 && d != prev+1 {
					t.Fatalf("%s follows %s but is %d days later", d, prev, d-prev)
				}
				prev = d
			}
		})
	}
	if !data.DateOf(time.Time{}).IsZero() || !data.Date(0).Time().IsZero() {
		t.Error("the zero time and the zero Date do not map to each other")
	}
}
