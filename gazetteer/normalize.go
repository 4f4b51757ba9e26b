package gazetteer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text is an address after normalization: the canonical form used for matching, with the raw
// input kept and, for every rune of Norm, the offset of the raw rune it came from.
type Text struct {
	Raw  string
	Norm string
	Off  []int32 // Off[i] is the rune offset in Raw of the i-th rune of Norm
}

// RawSpan returns the raw text behind the normalized runes [start, end).
func (t Text) RawSpan(start, end int) string {
	if start >= end || start < 0 || end > len(t.Off) {
		return ""
	}
	rs := []rune(t.Raw)
	a, b := int(t.Off[start]), int(t.Off[end-1])+1
	if a < 0 || b > len(rs) || a >= b {
		return ""
	}
	return string(rs[a:b])
}

// unit is one normalized rune and the raw rune offset it came from.
type unit struct {
	r   rune
	off int32
}

// Normalize puts an address into the canonical form shared by the index and the queries
// (geocode.md §3): NFKC and half width, upper-case Latin, traditional → simplified characters,
// one dash, Chinese numerals → arabic inside number slots only (五四路 stays, 三段 → 3段),
// 幢/座/号楼 → 栋, 门 → 单元, 房/户 → 室, "12-3-1001" → 12栋3单元1001室, "3#" → 3号, and it drops
// spaces, brackets with their content, quotes and phone numbers.
func Normalize(s string) Text {
	us := make([]unit, 0, len(s)/2+4)
	us = charPass(us, s)
	us = dropPhones(us)
	us = numeralPass(us)
	us = equivPass(us)
	var b strings.Builder
	b.Grow(len(us) * 3)
	off := make([]int32, len(us))
	for i, u := range us {
		b.WriteRune(u.r)
		off[i] = u.off
	}
	return Text{Raw: s, Norm: b.String(), Off: off}
}

// NormalizeString is Normalize(s).Norm.
func NormalizeString(s string) string { return Normalize(s).Norm }

// charPass maps rune by rune: NFKC, case, traditional → simplified, dashes, separators; it drops
// spaces, quotes and bracketed text.
func charPass(us []unit, s string) []unit {
	var buf [16]byte
	depth := 0
	i := int32(-1)
	for _, r := range s {
		i++
		if r >= 0x80 && !(r >= 0x4E00 && r <= 0x9FFF) {
			// NFKC only where it can change something: outside ASCII and the unified ideographs.
			n := norm.NFKC.AppendString(buf[:0], string(r))
			if len(n) > 0 {
				r2, size := utf8.DecodeRune(n)
				if size == len(n) {
					r = r2
				} else {
					// Expansions (①, ㈠, ligatures): emit each rune.
					for len(n) > 0 {
						r2, size = utf8.DecodeRune(n)
						n = n[size:]
						if depth == 0 {
							us = appendRune(us, r2, i)
						}
					}
					continue
				}
			}
		}
		switch r {
		case '(', '[', '{', '【', '〔', '〖', '<', '《':
			depth++
			continue
		case ')', ']', '}', '】', '〕', '〗', '>', '》':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 {
			continue
		}
		us = appendRune(us, r, i)
	}
	return us
}

// appendRune applies the per-rune mappings after NFKC.
func appendRune(us []unit, r rune, off int32) []unit {
	switch {
	case r >= 'a' && r <= 'z':
		r -= 'a' - 'A'
	case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '"' || r == '\'' ||
		r == '「' || r == '」' || r == '『' || r == '』' || r == '“' || r == '”' || r == '‘' || r == '’' ||
		unicode.IsSpace(r) || r == 0 || r == utf8.RuneError:
		return us
	case isDash(r):
		r = '-'
	case r == '~':
		r = '-'
	case r == '、' || r == '，' || r == ';' || r == '；' || r == '。':
		r = ','
	case r == '#':
		r = '号'
	case r == '〇' || r == '○' || r == '◯':
		r = '零'
	case r == 'ㄧ': // bopomofo i, typed for 一 in Taiwan files
		r = '一'
	default:
		r = t2s(r)
	}
	if r == ',' && len(us) > 0 && us[len(us)-1].r == ',' {
		return us
	}
	return append(us, unit{r, off})
}

func isDash(r rune) bool {
	switch r {
	case '-', '－', '﹣', '−', '‐', '‑', '–', '—', '―', 'ー', '─', '━', '～':
		return true
	}
	return false
}

// dropPhones removes the phone numbers of us (phoneRuns): in dispatch notes, never house
// numbers.
func dropPhones(us []unit) []unit {
	runs := phoneRuns(us)
	if len(runs) == 0 {
		return us
	}
	out := make([]unit, 0, len(us))
	prev := 0
	for _, r := range runs {
		out = append(out, us[prev:r[0]]...)
		prev = r[1]
	}
	return append(out, us[prev:]...)
}

// minPhoneDigits is the shortest run of digits taken for a phone number: a local number has 7
// or 8, a mobile 11; a house, room or postcode number fewer.
const minPhoneDigits = 7

// phoneRuns returns the [start, end) ranges of us that are phone numbers: runs of
// minPhoneDigits or more digits, and "0755-12345678" area-code forms, unless a number marker
// (号, 巷, 弄 …) follows.
func phoneRuns(us []unit) [][2]int {
	digitRun := func(i int) int {
		j := i
		for j < len(us) && isDigit(us[j].r) {
			j++
		}
		return j
	}
	var runs [][2]int
	for i := 0; i < len(us); {
		if !isDigit(us[i].r) || (i > 0 && isDigit(us[i-1].r)) {
			i++
			continue
		}
		j := digitRun(i)
		end := -1
		switch {
		case j-i >= minPhoneDigits:
			end = j
		case us[i].r == '0' && j-i >= 3 && j-i <= 4 && j < len(us) && us[j].r == '-':
			if k := digitRun(j + 1); k-j-1 >= minPhoneDigits {
				end = k
			}
		}
		if end >= 0 && !(end < len(us) && isNumberMarker(us[end].r)) {
			runs = append(runs, [2]int{i, end})
			i = end
			continue
		}
		i = j
	}
	return runs
}

// MaskPhones returns s with the digits of each phone number in it (what Normalize drops from a
// query, read here with brackets kept: full-width digits, spaces between groups, 0755-12345678)
// replaced by * but the last four: for free text shown to callers who may not see people's
// phones, such as a reporter's number typed into an event's address.
func MaskPhones(s string) string {
	us := make([]unit, 0, len(s)/2+4)
	i := int32(-1)
	for _, r := range s {
		i++
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case isDash(r):
			r = '-'
		case unicode.IsSpace(r):
			continue
		}
		us = append(us, unit{r, i})
	}
	runs := phoneRuns(us)
	if len(runs) == 0 {
		return s
	}
	rs := []rune(s)
	for _, run := range runs {
		keep := 4
		for k := run[1] - 1; k >= run[0]; k-- {
			if !isDigit(us[k].r) {
				continue
			}
			if keep > 0 {
				keep--
				continue
			}
			rs[us[k].off] = '*'
		}
	}
	return string(rs)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }

// isNumberMarker reports whether r may end a number slot (号, 巷, 弄 …).
func isNumberMarker(r rune) bool {
	switch r {
	case '号', '巷', '弄', '栋', '幢', '座', '楼', '层', '单', '室', '组', '期', '段', '邻', '米', '户', '门', '房', '之', 'F', '排':
		return true
	}
	return false
}

// chineseDigit returns the value of a Chinese digit, or -1.
func chineseDigit(r rune) int {
	switch r {
	case '零', '〇', '洞':
		return 0
	case '一', '壹', '幺':
		return 1
	case '二', '两', '贰', '貳':
		return 2
	case '三', '叁', '參':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆', '陸':
		return 6
	case '七', '柒':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖':
		return 9
	}
	return -1
}

// chineseUnit returns the multiplier of 十/百/千, or 0.
func chineseUnit(r rune) int {
	switch r {
	case '十', '拾':
		return 10
	case '百', '佰':
		return 100
	case '千', '仟':
		return 1000
	}
	return 0
}

func isNumeral(r rune) bool {
	return isDigit(r) || (r != '洞' && r != '幺' && chineseDigit(r) >= 0) || chineseUnit(r) > 0
}

// numeralPass rewrites runs of Chinese numerals as arabic digits where the run sits in a number
// slot: followed by a number marker, or following 之/第. Elsewhere (五四路, 中山二路) they stay.
// An arabic number directly followed by a Chinese one (之3二楼) gets a space between them so
// the parser sees two numbers.
func numeralPass(us []unit) []unit {
	// The letter O typed for 〇 inside a numeral (三OO巷, 一O二巷).
	for i := 1; i < len(us); i++ {
		if us[i].r == 'O' && isNumeral(us[i-1].r) && i+1 < len(us) &&
			(isNumeral(us[i+1].r) || us[i+1].r == 'O' || isNumberMarker(us[i+1].r)) {
			us[i].r = '零'
		}
	}
	var out []unit
	changed := false
	for i := 0; i < len(us); {
		if !isNumeral(us[i].r) {
			if changed {
				out = append(out, us[i])
			}
			i++
			continue
		}
		j := i
		hasChinese := false
		for j < len(us) && isNumeral(us[j].r) {
			// Arabic digits then Chinese ones are two numbers (之3二楼 = 之3, 2楼); Chinese
			// then arabic is one number mistyped (一九0).
			if !hasChinese && j > i && !isDigit(us[j].r) {
				break
			}
			if !isDigit(us[j].r) {
				hasChinese = true
			}
			j++
		}
		if !hasChinese && j < len(us) && isNumeral(us[j].r) {
			// An arabic run followed by a Chinese one: keep it, and separate the next number.
			if changed {
				out = append(out, us[i:j]...)
			}
			if !changed {
				out = append(make([]unit, 0, len(us)+1), us[:j]...)
				changed = true
			}
			out = append(out, unit{' ', us[j].off})
			i = j
			continue
		}
		slot := j < len(us) && isNumberMarker(us[j].r) ||
			i > 0 && (us[i-1].r == '之' || us[i-1].r == '第' || us[i-1].r == '-')
		if hasChinese && slot {
			if !changed {
				out = append(make([]unit, 0, len(us)), us[:i]...)
				changed = true
			}
			v := chineseValue(us[i:j])
			digits := itoa(v)
			for k, d := range digits {
				off := us[min(i+k, j-1)].off
				out = append(out, unit{d, off})
			}
		} else if changed {
			out = append(out, us[i:j]...)
		}
		i = j
	}
	if !changed {
		return us
	}
	return out
}

// chineseValue reads 一百二十三, 十一, 二十, digit-by-digit 一二三 and mixed 一九0.
func chineseValue(us []unit) int {
	positional := false
	for _, u := range us {
		if chineseUnit(u.r) > 0 {
			positional = true
			break
		}
	}
	if !positional {
		v := 0
		for _, u := range us {
			d := chineseDigit(u.r)
			if isDigit(u.r) {
				d = int(u.r - '0')
			}
			v = v*10 + d
			if v > 1e8 {
				return v
			}
		}
		return v
	}
	total, cur := 0, 0
	for _, u := range us {
		if m := chineseUnit(u.r); m > 0 {
			if cur == 0 {
				cur = 1
			}
			total += cur * m
			cur = 0
			continue
		}
		d := chineseDigit(u.r)
		if isDigit(u.r) {
			d = int(u.r - '0')
		}
		cur = cur*10 + d
		if cur > 1e8 {
			break
		}
	}
	return total + cur
}

func itoa(v int) []rune {
	if v == 0 {
		return []rune{'0'}
	}
	var b [20]rune
	i := len(b)
	for v > 0 && i > 0 {
		i--
		b[i] = rune('0' + v%10)
		v /= 10
	}
	return b[i:]
}

// equivPass unifies the building, unit and room words after a number or letter, dashed
// building-unit-room triples, and ranges written with 至/到.
func equivPass(us []unit) []unit {
	out := make([]unit, 0, len(us)+8)
	for i := 0; i < len(us); i++ {
		u := us[i]
		prevAlnum := len(out) > 0 && (isDigit(out[len(out)-1].r) || isUpper(out[len(out)-1].r))
		next := rune(0)
		if i+1 < len(us) {
			next = us[i+1].r
		}
		switch {
		case prevAlnum && (u.r == '幢' || u.r == '座' || u.r == '栋'):
			out = append(out, unit{'栋', u.off})
			continue
		case prevAlnum && u.r == '号' && next == '楼':
			out = append(out, unit{'栋', u.off})
			i++
			continue
		case prevAlnum && u.r == '门' && next != '牌' && next != '口' && next != '面':
			out = append(out, unit{'单', u.off}, unit{'元', u.off})
			continue
		case prevAlnum && (u.r == '房' || u.r == '户') && next != '间':
			out = append(out, unit{'室', u.off})
			continue
		case prevAlnum && (u.r == '至' || u.r == '到') && isDigit(next):
			out = append(out, unit{'-', u.off})
			continue
		case isDigit(u.r) && !prevAlnum:
			if n, ok := triple(us, i, &out); ok {
				i = n - 1
				continue
			}
		}
		out = append(out, u)
	}
	return out
}

// triple rewrites "12-3-1001" (not followed by 号) as 12栋3单元1001室 and returns the index after it.
func triple(us []unit, i int, out *[]unit) (int, bool) {
	var groups [3][2]int
	j := i
	for g := 0; g < 3; g++ {
		s := j
		for j < len(us) && isDigit(us[j].r) {
			j++
		}
		if j == s {
			return 0, false
		}
		groups[g] = [2]int{s, j}
		if g < 2 {
			if j >= len(us) || us[j].r != '-' {
				return 0, false
			}
			j++
		}
	}
	if j < len(us) && (isDigit(us[j].r) || us[j].r == '-' || isNumberMarker(us[j].r)) {
		return 0, false
	}
	words := [3][]rune{{'栋'}, {'单', '元'}, {'室'}}
	for g, gr := range groups {
		*out = append(*out, us[gr[0]:gr[1]]...)
		for _, r := range words[g] {
			*out = append(*out, unit{r, us[gr[1]-1].off})
		}
	}
	return j, true
}
