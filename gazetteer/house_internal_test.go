package gazetteer

import (
	"testing"

	"citygeo/data"
)

// TestSuffixOf checks how an address's qualifier is read: from its suffix, as 号之K when the
// full address writes the K after 號, and from the full address when the register's number
// column leaves a unit out (號之K), never from a flat (三樓之1) or a longer number (13號之1
// for 3號).
func TestSuffixOf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a      data.Address
		suffix string
	}{
		{"unit in the full address only", data.Address{Number: 7, Full: "澎湖縣馬公市中央里9鄰中央街7號之1"}, "号之1"},
		{"unit of two digits, simplified", data.Address{Number: 33, Full: "光复路33号之29"}, "号之29"},
		{"unit of a lane's number", data.Address{Number: 1, Full: "中山路12巷1號之1"}, "号之1"},
		{"a flat, not a unit", data.Address{Number: 3, Full: "澎湖縣馬公市光榮里32鄰貿商街3號三樓之1"}, ""},
		{"a longer number's unit", data.Address{Number: 3, Full: "貿商街13號之1"}, ""},
		{"no K", data.Address{Number: 7, Full: "中央街7號之"}, ""},
		{"no 之", data.Address{Number: 12, Full: "中央街12號"}, ""},
		{"之K號 from the suffix", data.Address{Number: 7, Suffix: "之1", Full: "中央街7之1號"}, "之1"},
		{"號之K from the suffix and the full address", data.Address{Number: 7, Suffix: "之1", Full: "中央街7號之1"}, "号之1"},
		{"N-K", data.Address{Number: 16, Suffix: "-1"}, "之1"},
	} {
		if got := suffixOf(&tc.a); got != tc.suffix {
			t.Errorf("%s: suffixOf(%+v) = %q, want %q", tc.name, tc.a, got, tc.suffix)
		}
	}
}

// TestMaskPhones checks that every phone number Normalize would drop is masked but for its last
// four digits, however it is written (full width, spaced, with an area code, in brackets), and
// that house, room and short numbers are left alone.
func TestMaskPhones(t *testing.T) {
	for in, want := range map[string]string{
		"建设路18号 联系电话13912345678":    "建设路18号 联系电话*******5678",
		"建设路18号（张先生 139 1234 5678）": "建设路18号（张先生 *** **** 5678）",
		"人民路5号，电话０７５５－８２２８８８９９":     "人民路5号，电话****－****８８９９",
		"0755-82288899":   "****-****8899",
		"建设路18号1001室":     "建设路18号1001室",
		"邮编518000 建设路18号": "邮编518000 建设路18号",
		"":                "",
	} {
		if got := MaskPhones(in); got != want {
			t.Errorf("MaskPhones(%q) = %q, want %q", in, got, want)
		}
	}
}
