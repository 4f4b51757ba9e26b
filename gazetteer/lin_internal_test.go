package gazetteer

import "testing"

func TestLinKey(t *testing.T) {
	for in, want := range map[string]string{
		"澎湖县马公市光荣里4邻贸商街142号":    "光荣里4",
		"台北市大安区龙渊里12邻和平东路二段76巷": "龙渊里12",
		"光荣里邻贸商街":               "", // no number
		"4邻贸商街":                 "", // no village
		"里4邻":                   "", // a one-rune name before 里 is no village
		"贸商街142号":               "",
		"邻":                     "",
	} {
		if got := linKey(in); got != want {
			t.Errorf("linKey(%s) = %q, want %q", in, got, want)
		}
	}
}
