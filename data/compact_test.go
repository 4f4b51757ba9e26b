package data_test

import (
	"encoding/json"
	"sync"
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

// TestMakeDeptConcurrent makes the same departments from many goroutines at once, as parallel
// imports and loads do: each (code, name) must get one Dept everywhere, and every Dept must read
// back its own code and name.
func TestMakeDeptConcurrent(t *testing.T) {
	refs := []data.DeptRef{
		{Code: "11440303340007919Y", Name: "深圳市罗湖区城市管理和综合执法局"},
		{Code: "11440303340007919Y", Name: "城管局"},
		{Code: "", Name: "供电局"},
		{Code: "914403001922038216", Name: ""},
		{Code: "t-concurrent", Name: "a registry entry no other test makes"},
	}
	const workers = 8
	got := make([][]data.Dept, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 200 {
				ref := refs[(i+w)%len(refs)]
				got[w] = append(got[w], data.MakeDept(ref.Code, ref.Name))
			}
		})
	}
	wg.Wait()
	for w := range workers {
		for i, d := range got[w] {
			ref := refs[(i+w)%len(refs)]
			if d != ref.Dept() || d.Ref() != ref || d.IsZero() {
				t.Fatalf("worker %d, call %d: MakeDept(%q, %q) = %v (zero %t), want %v from one shared Dept", w, i, ref.Code, ref.Name, d.Ref(), d.IsZero(), ref)
			}
		}
	}
	if a, b := refs[0].Dept(), refs[1].Dept(); a.Equal(b) {
		t.Errorf("departments %v and %v sharing a code got one Dept", a, b)
	}
}

// TestDeptZero checks that no code and no name is the zero Dept and reads back as nothing.
func TestDeptZero(t *testing.T) {
	tests := []struct {
		name string
		d    data.Dept
	}{
		{"zero value", data.Dept{}},
		{"made empty", data.MakeDept("", "")},
		{"name taken away", data.MakeDept("", "城管局").WithName("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.d.IsZero() || tt.d.Ref() != (data.DeptRef{}) || tt.d.Code() != "" || tt.d.Name() != "" {
				t.Errorf("%v: IsZero %t, Ref %v", tt.d, tt.d.IsZero(), tt.d.Ref())
			}
		})
	}
}

// TestCodeText checks that Status and Scheme, one-byte codes in memory, read and write as the
// names the stores, exports and API answers have always carried, in JSON too, and that text
// which names none is refused.
func TestCodeText(t *testing.T) {
	type row struct {
		Scheme data.Scheme `json:"scheme"`
		Status data.Status `json:"status,omitempty"`
	}
	tests := []struct {
		name     string
		scheme   data.Scheme
		status   data.Status
		wantJSON string
	}{
		{"none", 0, 0, `{"scheme":""}`},
		{"CJ/T 214, intact", data.CJT214, data.StatusIntact, `{"scheme":"CJ/T 214-2007","status":"完好"}`},
		{"GB/T 47678.5, damaged", data.GBT4767, data.StatusDamaged, `{"scheme":"GB/T 47678.5-2026","status":"破损"}`},
		{"lost", data.CJT214, data.StatusLost, `{"scheme":"CJ/T 214-2007","status":"丢失"}`},
		{"occupied", data.CJT214, data.StatusOccupied, `{"scheme":"CJ/T 214-2007","status":"占用"}`},
		{"abandoned", data.CJT214, data.StatusAbandon, `{"scheme":"CJ/T 214-2007","status":"废弃"}`},
		{"removed", data.CJT214, data.StatusRemoved, `{"scheme":"CJ/T 214-2007","status":"移除"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(row{tt.scheme, tt.status})
			if err != nil || string(b) != tt.wantJSON {
				t.Fatalf("json.Marshal = %s, %v; want %s", b, err, tt.wantJSON)
			}
			var back row
			if err := json.Unmarshal(b, &back); err != nil || back != (row{tt.scheme, tt.status}) {
				t.Errorf("json.Unmarshal(%s) = %+v, %v", b, back, err)
			}
			if tt.status != 0 {
				if st, err := data.ParseStatus(tt.status.English()); err != nil || st != tt.status {
					t.Errorf("ParseStatus(%q) = %v, %v", tt.status.English(), st, err)
				}
			}
			if sch, err := data.ParseScheme(tt.scheme.String()); err != nil || sch != tt.scheme {
				t.Errorf("ParseScheme(%q) = %v, %v", tt.scheme, sch, err)
			}
		})
	}
	for _, in := range []string{`{"scheme":"CJ/T 214"}`, `{"scheme":"","status":"正常"}`, `{"scheme":1}`} {
		if err := json.Unmarshal([]byte(in), new(row)); err == nil {
			t.Errorf("json.Unmarshal(%s) accepted text that names no scheme or status", in)
		}
	}
	if b, err := json.Marshal(row{Scheme: 3, Status: 7}); err == nil {
		t.Errorf("json.Marshal of codes out of range = %s, want an error", b)
	}
	if s := data.Status(7).String(); s != "Status(7)" {
		t.Errorf("Status(7).String() = %q", s)
	}
}
