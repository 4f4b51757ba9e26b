package importer

import (
	"strings"
	"testing"
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
