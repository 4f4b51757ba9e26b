package importer

import (
	"strings"
	"testing"
	"time"
)

// TestTextTrims checks text's shortcut for strings with nothing to trim against TrimSpace.
func TestTextTrims(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"ascii", "4403030118000001"},
		{"cjk", "深圳市罗湖区城市管理和综合执法局"},
		{"leading space", " 01"},
		{"trailing tab", "01\t"},
		{"cjk with ideographic spaces", "\u3000破损\u3000"},
		{"no-break space after cjk", "路灯\u00a0"},
		{"next line before cjk", "\u0085路灯"},
		{"only spaces", " \t\n"},
		{"invalid utf-8 at the ends", "\xff路灯\xe4"},
		{"control character", "\x01a\x01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := text(tc.in), strings.TrimSpace(tc.in); got != want {
				t.Errorf("text(%q) = %q, want %q", tc.in, got, want)
			}
		})
	}
}

// TestDateTextMatchesFormat checks text's date writer against time.Format, whose layout it
// replaces, across the years a register may hold and those it falls back for.
func TestDateTextMatchesFormat(t *testing.T) {
	for _, tc := range []time.Time{
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 10, 9, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 5, 5, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 6, 1, 1, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		{},
	} {
		if got, want := text(tc), tc.Format("2006-01-02"); got != want {
			t.Errorf("text(%v) = %q, want %q", tc, got, want)
		}
	}
	for d := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 17) {
		if got, want := dateText(d), d.Format("2006-01-02"); got != want {
			t.Fatalf("dateText(%v) = %q, want %q", d, got, want)
		}
	}
}
