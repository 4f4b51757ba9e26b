package gazetteer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"citygeo/data"
)

// EndKind is what names one end of a road segment.
type EndKind uint8

// The kinds of segment end. A cross street resolves to where the two roads meet, a house
// number to its 门牌, a place (bridge, POI, building) to its point.
const (
	EndRoad   EndKind = iota + 1 // 友谊路, 人民路口
	EndNumber                    // 18号, 人民路18号
	EndPlace                     // 友谊桥, 人民公园
)

// String returns "road", "number" or "place".
func (k EndKind) String() string {
	switch k {
	case EndRoad:
		return "road"
	case EndNumber:
		return "number"
	case EndPlace:
		return "place"
	}
	return fmt.Sprintf("EndKind(%d)", uint8(k))
}

// SegmentEnd is one end of a road segment as written.
type SegmentEnd struct {
	Text string  // as written, trimmed ("人民路" from "人民路口")
	Kind EndKind // how it resolves
}

// SegmentText is a road segment as a duty list writes it: "人民路（友谊桥至和平桥）",
// "跃龙路(人民路—青年路)", "解放路东侧", "羅斯福路三段(和平東路至辛亥路)". Road and the ends keep
// the spelling of the text; both ends are zero for the whole road.
type SegmentText struct {
	Road     string
	From, To SegmentEnd
	Side     data.Side
}

// Whole reports whether the text names the whole road (no ends).
func (s SegmentText) Whole() bool { return s.From.Text == "" && s.To.Text == "" }

// ErrSegmentText is wrapped by every ParseSegment error.
var ErrSegmentText = errors.New("segment text")

// ParseSegment reads a road segment's text. It accepts the ends in brackets of any width
// (（）()【】[]), after a colon, or straight after the road ("人民路友谊桥至和平桥段"); 至, 到, a
// dash or a tilde between them, or "A与B之间"; a side (东侧/西侧/南侧/北侧, 两侧) before or after
// the ends; and a trailing 段, 全段 or 全线. Traditional characters and full-width forms read as
// their simplified, half-width twins.
func ParseSegment(text string) (SegmentText, error) {
	raw := []rune(strings.TrimSpace(text))
	f := foldRunes(raw)
	var out SegmentText
	n := roadEnd(f)
	// With the ends in brackets or after a colon, the road is all before them (less a side):
	// 羅斯福路公車專用道（…） is one name, though 路 ends a name inside it.
	if k := slices.IndexFunc(f, func(r rune) bool { return r == '(' || r == ':' }); k > n && n > 0 {
		head := k
		for head > n && f[head-1] == ' ' {
			head--
		}
		if _, m := sideAt(f, head-2); m > 0 && head-2 >= n {
			head -= 2
		}
		n = head
	}
	if n <= 0 {
		return out, fmt.Errorf("%w %q: no road name (want a name ending in 路, 街, 道, 巷, 弄, 线, 胡同, 高架)", ErrSegmentText, text)
	}
	out.Road = string(raw[:n])
	i := n
	side := func() error {
		s, m := sideAt(f, i)
		if m == 0 {
			return nil
		}
		if out.Side != data.SideBoth && s != out.Side {
			return fmt.Errorf("%w %q: two different sides", ErrSegmentText, text)
		}
		out.Side, i = s, i+m
		return nil
	}
	if err := side(); err != nil {
		return out, err
	}
	// The ends: bracketed, after a colon, or straight on.
	var a, b int
	switch {
	case i < len(f) && f[i] == '(':
		j := closing(f, i)
		if j < 0 {
			return out, fmt.Errorf("%w %q: unclosed bracket", ErrSegmentText, text)
		}
		a, b, i = i+1, j, j+1
	case i < len(f) && f[i] == ':':
		a, b, i = i+1, len(f), len(f)
	default:
		a, b = i, len(f)
		// The ends run to a side word or the end.
		for k := i; k < len(f); k++ {
			if _, m := sideAt(f, k); m > 0 {
				b = k
				break
			}
		}
		i = b
	}
	if err := side(); err != nil {
		return out, err
	}
	if i < len(f) && f[i] == '(' { // "解放路东侧（A至B）" puts the ends after the side
		if a < b && strings.TrimSpace(string(f[a:b])) != "" {
			return out, fmt.Errorf("%w %q: ends given twice", ErrSegmentText, text)
		}
		j := closing(f, i)
		if j < 0 {
			return out, fmt.Errorf("%w %q: unclosed bracket", ErrSegmentText, text)
		}
		a, b, i = i+1, j, j+1
		if err := side(); err != nil {
			return out, err
		}
	}
	if rest := trimFiller(string(f[i:])); rest != "" {
		return out, fmt.Errorf("%w %q: %q left over after the segment", ErrSegmentText, text, rest)
	}
	ends := trimFiller(string(f[a:b]))
	if ends == "" {
		return out, nil
	}
	from, to, ok := splitEnds(f[a:b], raw[a:b])
	if !ok {
		return out, fmt.Errorf("%w %q: want two ends, as in 人民路（友谊桥至和平桥）", ErrSegmentText, text)
	}
	out.From, out.To = end(from), end(to)
	if out.From.Text == "" || out.To.Text == "" {
		return out, fmt.Errorf("%w %q: an end is empty", ErrSegmentText, text)
	}
	if foldString(out.From.Text) == foldString(out.To.Text) {
		return out, fmt.Errorf("%w %q: both ends are %s", ErrSegmentText, text, out.From.Text)
	}
	return out, nil
}

// SegmentQuery reads a geocoding query that names a stretch of road between two ends
// (人民路（友谊桥至和平桥）, 跃龙路人民路至青年路段, 解放路东侧(A与B之间)) rather than an address;
// false for anything else, a whole road or a number range written with a dash (建设路12-3号)
// among them: only 至, 到, 之间 or brackets mark the ends of a stretch.
func SegmentQuery(q string) (SegmentText, bool) {
	// Tested on the raw text: folding costs microseconds, and almost every query is an
	// address. Full-width brackets fold to '('; 之間 is 之间 in traditional script.
	if !strings.ContainsAny(q, "至到(（【[〔〖{") && !strings.Contains(q, "之间") && !strings.Contains(q, "之間") {
		return SegmentText{}, false
	}
	st, err := ParseSegment(q)
	if err != nil || st.Whole() {
		return SegmentText{}, false
	}
	return st, true
}

// foldRunes maps each rune to its simplified, half-width form, one rune for one, so positions
// in the folded text are positions in the raw text. Brackets become '(' ')', colons ':' and
// every dash '-'.
func foldRunes(rs []rune) []rune {
	out := make([]rune, len(rs))
	var buf [16]byte
	for i, r := range rs {
		if r >= 0x80 && !(r >= 0x4E00 && r <= 0x9FFF) {
			if n := norm.NFKC.AppendString(buf[:0], string(r)); len(n) > 0 {
				if r2, size := utf8.DecodeRune(n); size == len(n) {
					r = r2
				}
			}
		}
		switch {
		case r == '(' || r == '[' || r == '【' || r == '〔' || r == '〖' || r == '{':
			r = '('
		case r == ')' || r == ']' || r == '】' || r == '〕' || r == '〗' || r == '}':
			r = ')'
		case r == '：':
			r = ':'
		case isDash(r) || r == '~':
			r = '-'
		case unicode.IsSpace(r):
			r = ' '
		default:
			r = t2s(r)
		}
		out[i] = r
	}
	return out
}

func foldString(s string) string { return string(foldRunes([]rune(s))) }

// segmentRoadSuffixes end a road name in a segment text; the longer forms are tried first.
var segmentRoadSuffixes = [][]rune{[]rune("大道"), []rune("大街"), []rune("胡同"), []rune("高架"), []rune("路"), []rune("街"), []rune("巷"), []rune("弄"), []rune("道"), []rune("线")}

// roadEnd returns the length of the road name at the start of f: up to the first road suffix
// that leaves a name of two runes or more, with a following section (三段, 3段) — 0 when there
// is none.
func roadEnd(f []rune) int {
	for i := 0; i < len(f); i++ {
		if f[i] == '(' || f[i] == ':' {
			return 0
		}
		for _, suf := range segmentRoadSuffixes {
			if !hasRunes(f[i:], suf) || i+len(suf) < 2 {
				continue
			}
			n := i + len(suf)
			if n < len(f) && (f[n] == '路' || f[n] == '街') {
				continue // 道路, 街道口 …: the name goes on
			}
			// Numbered parts go on: a section (三段), a road off a named one (书院街四路, 人民路一巷),
			// a lane and an alley (安和路二段171巷, 羅斯福路四段41巷68弄).
			for {
				j := n
				for j < len(f) && isNumeralRune(f[j]) {
					j++
				}
				if j == n || j == len(f) || !strings.ContainsRune("路街巷弄道段", f[j]) {
					break
				}
				n = j + 1
			}
			return n
		}
	}
	return 0
}

// isNumeralRune reports whether r may be part of a road's number (3, 三, 十).
func isNumeralRune(r rune) bool { return isDigit(r) || chineseDigit(r) >= 0 || r == '十' }

func hasRunes(f, p []rune) bool {
	if len(f) < len(p) {
		return false
	}
	for i, r := range p {
		if f[i] != r {
			return false
		}
	}
	return true
}

// sideAt reads a side word at f[i:]: 东侧/东面/东边 …, 两侧/双侧 (both); it returns the side
// and its length, 0 when there is none.
func sideAt(f []rune, i int) (data.Side, int) {
	if i+1 >= len(f) || (f[i+1] != '侧' && f[i+1] != '面' && f[i+1] != '边') {
		return data.SideBoth, 0
	}
	switch f[i] {
	case '东':
		return data.SideEast, 2
	case '西':
		return data.SideWest, 2
	case '南':
		return data.SideSouth, 2
	case '北':
		return data.SideNorth, 2
	case '两', '双':
		return data.SideBoth, 2
	}
	return data.SideBoth, 0
}

// closing returns the index of the bracket closing f[i], or -1.
func closing(f []rune, i int) int {
	depth := 0
	for j := i; j < len(f); j++ {
		switch f[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// trimFiller drops spaces and the words that add nothing: 段, 全段, 全线, 路段 — but not the 段 of
// a numbered section (辛亥路三段).
func trimFiller(s string) string {
	s = strings.TrimSpace(s)
	for _, w := range []string{"全段", "全线", "路段", "段", "沿线"} {
		rest, ok := strings.CutSuffix(s, w)
		if !ok {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(rest); w == "段" && isNumeralRune(r) {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(rest); w == "路段" && !strings.ContainsRune("桥口门站场园厦院号楼", r) {
			rest = s[:len(s)-len("段")] // 至青年路段: the end is 青年路 (after 和平桥, 路段 is filler)
		}
		s = strings.TrimSpace(rest)
	}
	return s
}

// splitEnds splits the ends at 至 or 到 (or a dash), or "A与B之间"; it returns the raw text of
// each end.
func splitEnds(f, raw []rune) (string, string, bool) {
	s := string(f)
	if strings.HasSuffix(strings.TrimSpace(s), "之间") {
		for k, r := range f {
			if r == '与' || r == '和' {
				body := strings.TrimSpace(string(raw[k+1:]))
				return string(raw[:k]), strings.TrimSuffix(body, "之间"), true
			}
		}
		return "", "", false
	}
	for _, seps := range [][]rune{{'至', '到'}, {'-'}} {
		k := -1
		for j, r := range f {
			for _, sep := range seps {
				if r == sep && j > 0 {
					if k >= 0 {
						return "", "", false // two separators: not two ends
					}
					k = j
				}
			}
		}
		if k > 0 {
			from := string(raw[:k])
			if f[0] == '从' || f[0] == '自' || f[0] == '由' {
				from = string(raw[1:k])
			}
			return from, string(raw[k+1:]), true
		}
	}
	return "", "", false
}

// end trims an end and tells its kind: a house number (18号, 人民路18号), a cross street (a
// road name, with 口, 路口 or 交叉口 dropped), or a place.
func end(s string) SegmentEnd {
	s = trimFiller(s)
	f := foldRunes([]rune(s))
	fs := string(f)
	for _, w := range []string{"交叉路口", "交叉口", "交汇处", "交界处", "交口", "路口", "口"} {
		if strings.HasSuffix(fs, w) {
			cut := len([]rune(w))
			if w == "路口" {
				cut = 1 // keep 路: 人民路口 → 人民路
			}
			if n := len(f) - cut; n > 0 && roadEnd(f[:n]) == n {
				return SegmentEnd{Text: string([]rune(s)[:n]), Kind: EndRoad}
			}
		}
	}
	if len(f) > 0 && f[len(f)-1] == '号' {
		j := len(f) - 1
		for j > 0 && (isDigit(f[j-1]) || chineseDigit(f[j-1]) >= 0 || f[j-1] == '十' || f[j-1] == '百' || f[j-1] == '-') {
			j--
		}
		if j < len(f)-1 && (j == 0 || roadEnd(f[:j]) == j) {
			return SegmentEnd{Text: s, Kind: EndNumber}
		}
	}
	if n := roadEnd(f); n == len(f) {
		return SegmentEnd{Text: s, Kind: EndRoad}
	}
	return SegmentEnd{Text: s, Kind: EndPlace}
}
