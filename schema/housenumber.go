package schema

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// ParseHouseNumber reads the number field of a 门牌 register in the forms real registers write
// it: 18, 18號, 1之6, 16-1, 3號之2, 甲12, 12甲, 附3, full-width digits (１２), and a floor
// written after the number (3號4樓, dropped: a floor never moves the point). It returns the
// numeric number and its qualifier as the register spells it (之6, -1, 號之2, 甲, 附), or
// false when the text is no house number.
//
// Hand-written: no Go library reads Chinese house-number qualifiers, and the forms are few.
func ParseHouseNumber(s string) (int, string, bool) {
	s = width.Narrow.String(strings.TrimSpace(s))
	rs := []rune(s)
	i := 0
	prefix := ""
	if i < len(rs) && strings.ContainsRune("甲乙丙丁附", rs[i]) {
		prefix = string(rs[i])
		i++
	}
	n, j := digits(rs, i)
	if j == i {
		return 0, "", false
	}
	i = j
	suffix := prefix
	if i < len(rs) && (rs[i] == '號' || rs[i] == '号') {
		i++
		if i < len(rs) && rs[i] == '之' {
			k, e := digits(rs, i+1)
			if e == i+1 {
				return 0, "", false
			}
			suffix += string(rs[i-1]) + "之" + strconv.Itoa(k)
			i = e
		}
	} else if i < len(rs) && (rs[i] == '之' || rs[i] == '-') {
		k, e := digits(rs, i+1)
		if e == i+1 {
			return 0, "", false
		}
		suffix += string(rs[i]) + strconv.Itoa(k)
		i = e
		if i < len(rs) && (rs[i] == '號' || rs[i] == '号') {
			i++
		}
	} else if i < len(rs) && prefix == "" && strings.ContainsRune("甲乙丙丁", rs[i]) {
		suffix = string(rs[i])
		i++
		if i < len(rs) && (rs[i] == '號' || rs[i] == '号') {
			i++
		}
	}
	if i < len(rs) && !isFloor(rs[i:]) {
		return 0, "", false
	}
	return n, suffix, true
}

// digits reads the decimal digits from i: their value and where they end.
func digits(rs []rune, i int) (int, int) {
	n, j := 0, i
	for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' && j-i < 9 {
		n = n*10 + int(rs[j]-'0')
		j++
	}
	return n, j
}

// isFloor reports whether rest names a floor or a flat (4樓, 3F, 地下1層, 4樓之2, 201室).
func isFloor(rest []rune) bool {
	s := strings.TrimFunc(string(rest), unicode.IsSpace)
	for _, p := range []string{"地下", "B", "F"} {
		s = strings.TrimPrefix(s, p)
	}
	_, j := digits([]rune(s), 0)
	if j == 0 {
		return false
	}
	r := []rune(s)[j:]
	if len(r) == 0 {
		return false
	}
	switch r[0] {
	case '樓', '楼', '層', '层', 'F', '室':
	default:
		return false
	}
	for _, x := range r[1:] {
		if !(x == '之' || x >= '0' && x <= '9' || x == '室') {
			return false
		}
	}
	return true
}
