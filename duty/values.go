package duty

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"citygeo/data"
)

// chinaTime is the default zone of times written without one: China has kept UTC+8 without
// daylight saving since 1991, so a fixed zone needs no tzdata (Taiwan keeps UTC+8 too).
var chinaTime = time.FixedZone("CST", 8*3600)

// parseBool reads yes/no in English, Chinese or digits; "" is no.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0", "no", "n", "否", "不是", "×":
		return false, nil
	case "true", "1", "yes", "y", "是", "√", "✓":
		return true, nil
	}
	return false, errors.New("want yes or no (是/否, true/false, 1/0)")
}

// weekdayNames maps every spelling of a day to its weekday.
var weekdayNames = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	cn := []string{"日", "一", "二", "三", "四", "五", "六"}
	en := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	for d := time.Sunday; d <= time.Saturday; d++ {
		for _, p := range []string{"", "周", "星期", "礼拜"} {
			m[p+cn[d]] = d
		}
		m[en[d]] = d
		m[strings.ToLower(d.String())] = d
		n := int(d)
		if n == 0 {
			n = 7
		}
		m[strconv.Itoa(n)] = d
	}
	for _, p := range []string{"周", "星期", "礼拜"} {
		m[p+"天"] = time.Sunday
	}
	return m
}()

// parseDays reads the weekdays of a shift or delegation: 每天, 工作日, 周末, a list (周一,周三),
// ranges (周一至周五, 1-5, Mon-Fri; 周五至周一 wraps). nil means every day.
func parseDays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(width.Narrow.String(s)))
	switch s {
	case "", "每天", "每日", "全周", "daily", "every day", "all":
		return nil, nil
	case "工作日", "weekdays":
		return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil
	case "周末", "双休日", "weekend":
		return []time.Weekday{time.Saturday, time.Sunday}, nil
	}
	var set [7]bool
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；/ ", r) }) {
		from, to, isRange := cutRange(tok)
		a, ok := weekdayNames[strings.TrimSpace(from)]
		if !ok {
			return nil, fmt.Errorf("day %q: want 周一…周日, 1–7 or Mon–Sun", from)
		}
		b := a
		if isRange {
			if b, ok = weekdayNames[strings.TrimSpace(to)]; !ok {
				return nil, fmt.Errorf("day %q: want 周一…周日, 1–7 or Mon–Sun", to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			set[d] = true
			if d == b {
				break
			}
		}
	}
	var out []time.Weekday
	for i := 1; i <= 7; i++ { // Monday first, as a Chinese week runs
		if d := time.Weekday(i % 7); set[d] {
			out = append(out, d)
		}
	}
	if len(out) == 7 {
		return nil, nil
	}
	if len(out) == 0 {
		return nil, errors.New("no day named")
	}
	return out, nil
}

// cutRange splits "a至b", "a到b", "a-b", "a~b".
func cutRange(s string) (string, string, bool) {
	for _, sep := range []string{"至", "到", "~", "-", "—", "–"} {
		if a, b, ok := strings.Cut(s, sep); ok {
			return a, b, true
		}
	}
	return s, "", false
}

// parseWindow reads a time window "08:00-18:00" (also 至, 到, ~; H:MM and HH:MM:SS); 全天 or
// 00:00-24:00 is the whole day (From == To == 0).
func parseWindow(s string) (data.TimeWindow, error) {
	s = strings.TrimSpace(width.Narrow.String(s))
	switch strings.ToLower(s) {
	case "全天", "24小时", "all day", "00:00-24:00", "0:00-24:00":
		return data.TimeWindow{}, nil
	}
	from, to, ok := cutRange(s)
	if !ok {
		return data.TimeWindow{}, errors.New("want HH:MM-HH:MM (may wrap midnight: 18:00-08:00) or 全天")
	}
	f, err1 := clock(from)
	t, err2 := clock(to)
	if err := errors.Join(err1, err2); err != nil {
		return data.TimeWindow{}, err
	}
	if f == t {
		return data.TimeWindow{}, errors.New("from and to are equal; write 全天 for the whole day")
	}
	if t == 24*60 && f == 0 {
		return data.TimeWindow{}, nil
	}
	if t == 24*60 {
		t = 0 // 18:00-24:00 ends at midnight
	}
	return data.TimeWindow{From: f, To: t}, nil
}

// clock reads H:MM, HH:MM or HH:MM:SS.
func clock(s string) (data.Clock, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ":") == 2 {
		s = s[:strings.LastIndexByte(s, ':')]
	}
	if len(s) == 4 && s[1] == ':' {
		s = "0" + s
	}
	return data.ParseClock(s)
}

// instantLayouts are the date and date-time forms a roster writes, tried in order.
var instantLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05",
	"2006/01/02 15:04", "2006-1-2 15:04", "2006/1/2 15:04"}

// dateLayouts are the date-only forms.
var dateLayouts = []string{time.DateOnly, "2006/01/02", "2006-1-2", "2006/1/2", "2006年1月2日", "20060102"}

// parseInstant reads a date or date-time in loc (unless it names a zone). A date alone is the
// start of that day, or — for an end (endOfDay) — the start of the next, so "ends 2026-11-30"
// includes the 30th. A number is an Excel serial date (days since 1899-12-30, the fraction the
// time of day), as a workbook stores a cell typed as a date.
func parseInstant(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(width.Narrow.String(s))
	for _, l := range instantLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			if endOfDay {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 {
		days := math.Floor(f)
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, loc).AddDate(0, 0, int(days))
		t = t.Add(time.Duration(math.Round((f-days)*86400)) * time.Second)
		if endOfDay && f == days {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, errors.New("want a date (2026-11-01) or a date and time (2026-11-01 18:00)")
}

// splitList splits a cell listing codes: separated by ; , 、 spaces or line breaks.
func splitList(s string) []string {
	return strings.FieldsFunc(width.Narrow.String(s), func(r rune) bool {
		return strings.ContainsRune(";,、 \t\r\n", r)
	})
}

// checkPhone accepts a mobile or landline number: digits with optional +, -, spaces or
// brackets, 7 to 15 digits.
func checkPhone(s string) error {
	n := 0
	for _, r := range width.Narrow.String(s) {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune("+-() ", r):
		default:
			return fmt.Errorf("%q is not a phone number character", r)
		}
	}
	if n < 7 || n > 15 {
		return fmt.Errorf("%d digits; a phone number has 7 to 15", n)
	}
	return nil
}
