package data_test

import (
	"testing"
	"time"

	"citygeo/data"

	"github.com/paulmach/orb"
)

func TestParseClassRef(t *testing.T) {
	tests := []struct {
		code   string
		scheme string // as a caller receives it, read with ParseScheme
		kind   data.ClassKind
		want   data.ClassRef
		ok     bool
	}{
		{"0118", "", "", data.ClassRef{Scheme: data.CJT214, Kind: data.KindComponent, Code: "0118"}, true},
		{"0501", "", data.KindEvent, data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"}, true},
		{"0501", "", "", data.ClassRef{Scheme: data.CJT214, Kind: data.KindComponent, Code: "0501"}, true}, // 宣传栏 wins
		{"0199", "", "", data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0199"}, true},     // only an event
		{"09001", "", "", data.ClassRef{Scheme: data.GBT4767, Kind: data.KindEvent, Code: "09001"}, true},
		{"01037", "", "", data.ClassRef{Scheme: data.GBT4767, Kind: data.KindComponent, Code: "01037"}, true},
		{"01037", "", data.KindEvent, data.ClassRef{Scheme: data.GBT4767, Kind: data.KindEvent, Code: "01037"}, true},
		{"09", "GB/T 47678.5-2026", "", data.ClassRef{Scheme: data.GBT4767, Kind: data.KindEvent, Code: "09"}, true},
		{"05", "", data.KindEvent, data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "05"}, true},
		{" 0118 ", "", "", data.ClassRef{Scheme: data.CJT214, Kind: data.KindComponent, Code: "0118"}, true},
		{"0140", "", "", data.ClassRef{}, false},
		{"0130", "", data.KindEvent, data.ClassRef{}, false},
		{"0118", "GB/T 47678.5-2026", "", data.ClassRef{}, false},
		{"07", "", data.KindComponent, data.ClassRef{}, false},
		{"011", "", "", data.ClassRef{}, false},
		{"", "", "", data.ClassRef{}, false},
		{"0118", "GB 1", "", data.ClassRef{}, false},
		{"0118", "", "thing", data.ClassRef{}, false},
	}
	for _, tc := range tests {
		scheme, err := data.ParseScheme(tc.scheme)
		var got data.ClassRef
		if err == nil {
			got, err = data.ParseClassRef(tc.code, scheme, tc.kind)
		}
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseClassRef(%q, %q, %q) = %+v, %v; want %+v ok=%v", tc.code, tc.scheme, tc.kind, got, err, tc.want, tc.ok)
		}
	}
	c, _ := data.ParseClassRef("0501", 0, data.KindEvent)
	if c.Name() != "无照经营游商" || c.Major() != "05" || c.MajorRef().Code != "05" || c.IsMajor() {
		t.Errorf("ClassRef helpers: %q %q %+v", c.Name(), c.Major(), c.MajorRef())
	}
}

func TestTimeWindow(t *testing.T) {
	clock := func(s string) data.Clock {
		c, err := data.ParseClock(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	night := data.TimeWindow{From: clock("22:00"), To: clock("06:00")}
	day := data.TimeWindow{From: clock("08:30"), To: clock("18:00")}
	for _, tc := range []struct {
		w    data.TimeWindow
		at   string
		want bool
	}{
		{night, "23:59", true}, {night, "00:00", true}, {night, "05:59", true}, {night, "06:00", false}, {night, "21:59", false},
		{day, "08:30", true}, {day, "17:59", true}, {day, "18:00", false}, {day, "08:29", false},
	} {
		if got := tc.w.Contains(clock(tc.at)); got != tc.want {
			t.Errorf("%s-%s contains %s = %v", tc.w.From, tc.w.To, tc.at, got)
		}
	}
	for _, tc := range []struct {
		a, b data.TimeWindow
		want bool
	}{
		{night, day, false},
		{night, data.TimeWindow{From: clock("05:00"), To: clock("07:00")}, true},
		{day, data.TimeWindow{From: clock("18:00"), To: clock("22:00")}, false},
		{day, data.TimeWindow{From: clock("12:00"), To: clock("13:00")}, true},
	} {
		if got := tc.a.Overlaps(tc.b); got != tc.want || tc.b.Overlaps(tc.a) != tc.want {
			t.Errorf("%v overlaps %v = %v", tc.a, tc.b, got)
		}
	}
	for _, bad := range []string{"24:01", "7:00", "07-00", "25:00", "07:60", "ab:cd", "-1:00", "+1:00", " 1:00", "01:-1", "01:+1"} {
		if _, err := data.ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	if clock("24:00") != 24*60 || clock("07:05").String() != "07:05" {
		t.Error("clock round trip")
	}
}

// FuzzParseClock: whatever the text, a clock read is a time of day that prints back as read.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"00:00", "24:00", "07:05", "-1:00", "7:00", "23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := data.ParseClock(s)
		if err != nil {
			return
		}
		if c < 0 || c > 24*60 || c.String() != s {
			t.Fatalf("ParseClock(%q) = %d (%s)", s, c, c)
		}
	})
}

func TestDutyLevel(t *testing.T) {
	zone := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}
	for _, tc := range []struct {
		r    data.DutyRule
		want data.DutyLevel
	}{
		{data.DutyRule{}, data.DutyCity},
		{data.DutyRule{Area: "440303"}, data.DutyDistrict},
		{data.DutyRule{Area: "440303001"}, data.DutyStreet},
		{data.DutyRule{Area: "440303001001"}, data.DutyCommunity},
		{data.DutyRule{Polygon: zone}, data.DutyPolygon},
		{data.DutyRule{Area: "440303001001001"}, data.DutyGrid},
		{data.DutyRule{Area: "44030300100101"}, data.DutyGrid},
	} {
		if got := tc.r.Level(); got != tc.want {
			t.Errorf("Level(%q) = %s, want %s", tc.r.Area, got, tc.want)
		}
	}
	if (&data.DutyRule{DeadlineHours: 1.5}).Deadline() != 90*time.Minute {
		t.Error("Deadline")
	}
}

func TestEventOverdue(t *testing.T) {
	t0 := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	dl := t0.Add(4 * time.Hour)
	for _, tc := range []struct {
		name string
		e    data.Event
		now  time.Time
		want bool
	}{
		{"open, before", data.Event{Deadline: dl}, t0.Add(time.Hour), false},
		{"open, after", data.Event{Deadline: dl}, t0.Add(5 * time.Hour), true},
		{"closed in time", data.Event{Deadline: dl, Status: data.EventClosed, Closed: t0.Add(3 * time.Hour)}, t0.Add(9 * time.Hour), false},
		{"closed late", data.Event{Deadline: dl, Status: data.EventClosed, Closed: t0.Add(5 * time.Hour)}, t0.Add(5 * time.Hour), true},
		{"no deadline", data.Event{}, t0.Add(1000 * time.Hour), false},
	} {
		if got := tc.e.Overdue(tc.now); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	for _, s := range []string{"", "open", "closed"} {
		if _, err := data.ParseEventStatus(s); err != nil {
			t.Errorf("ParseEventStatus(%q): %v", s, err)
		}
	}
	if _, err := data.ParseEventStatus("结案"); err == nil {
		t.Error("ParseEventStatus accepted 结案")
	}
}
