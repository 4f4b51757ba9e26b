package gazetteer

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the role of a parsed address element; the names follow the CCKS 2021 labels where
// one exists.
type Kind uint8

// The element kinds, from the coarsest admin level to the relative description.
const (
	KindOther         Kind = iota
	KindProvince           // 省
	KindCity               // 市
	KindDistrict           // 区/县
	KindStreet             // 街道/镇/乡 (CCKS town)
	KindCommunity          // 社区/村/里
	KindRoad               // 路/街/巷 name
	KindSection            // 段
	KindLane               // 巷 (numbered)
	KindAlley              // 弄 (numbered)
	KindNumber             // 门牌号 (CCKS roadno)
	KindPOI                // named place, compound
	KindBuilding           // 栋
	KindUnit               // 单元
	KindFloor              // 层/楼
	KindRoom               // 室
	KindIntersection       // 交叉口 marker or connector
	KindDirection          // 东/东北 …
	KindDistance           // 50米
	KindAssist             // 附近/对面/旁边
	KindNeighbourhood      // 邻 (Taiwan)
	KindGroup              // 村民小组 3组
	KindDevzone            // 开发区/工业园区 (AMap 开发区, Baidu edz)
	KindSubPOI             // a part of a place: A区, 二期, 南门 (CCKS subpoi)
)

var kindNames = [...]string{"other", "prov", "city", "district", "town", "community", "road", "section",
	"lane", "alley", "roadno", "poi", "building", "unit", "floor", "room", "intersection", "direction",
	"distance", "assist", "neighbourhood", "village_group", "devzone", "subpoi"}

// String returns the CCKS-style label of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Element is one parsed piece of an address.
type Element struct {
	Kind   Kind
	Text   string // normalized text, markers included: "228巷", "和平东路"
	Num    int    // the number of numbered elements (228 for 228巷); 0 otherwise
	Suffix string // qualifier of a house number: 甲, 之1, -1, 附
	Start  int    // rune offsets [Start, End) in the normalized text
	End    int
	Known  bool // matched from the gazetteer's vocabulary rather than by rule
}

// Parsed is an address split into elements.
type Parsed struct {
	Text     Text
	Elements []Element
}

// First returns the first element of kind k and whether there is one.
func (p Parsed) First(k Kind) (Element, bool) {
	for _, e := range p.Elements {
		if e.Kind == k {
			return e, true
		}
	}
	return Element{}, false
}

// Parse splits an address into elements by rule and the mainland admin names; an Index parses
// with its own vocabulary as well (Index.Parse), which is what geocoding uses.
func Parse(s string) Parsed { return parse(Normalize(s), nil) }

// vocab is the gazetteer's name list for the parser: normalized name → kind, with, per first
// rune, a bit set of the rune lengths present so a scan tries only lengths that exist.
type vocab struct {
	names map[string]Kind
	lens  map[rune]uint32
}

func newVocab() *vocab { return &vocab{names: map[string]Kind{}, lens: map[rune]uint32{}} }

// addNew registers a name only when the vocabulary does not hold it yet.
func (v *vocab) addNew(name string, k Kind) {
	if _, ok := v.names[name]; !ok {
		v.add(name, k)
	}
}

// known reports whether name is in the vocabulary.
func (v *vocab) known(name string) bool {
	_, ok := v.names[name]
	return ok
}

// add registers a normalized name; a finer kind never overwrites a road or POI with an area.
func (v *vocab) add(name string, k Kind) {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 31 {
		return
	}
	if old, ok := v.names[name]; ok && old != k && (old == KindRoad || old == KindPOI) {
		return
	}
	v.names[name] = k
	r, _ := utf8.DecodeRuneInString(name)
	v.lens[r] |= 1 << n
}

// longest returns the kind and rune length of the longest name starting at rune i.
func (v *vocab) longest(s string, bo []int, i int) (Kind, int) {
	if v == nil {
		return 0, 0
	}
	r, _ := utf8.DecodeRuneInString(s[bo[i]:])
	mask := v.lens[r]
	for l := min(31, len(bo)-1-i); l >= 2; l-- {
		if mask&(1<<l) == 0 {
			continue
		}
		if k, ok := v.names[s[bo[i]:bo[i+l]]]; ok {
			return k, l
		}
	}
	return 0, 0
}

// parser holds the state of one parse.
type parser struct {
	t     Text
	rs    []rune
	bo    []int  // byte offset of each rune, plus len(Norm)
	v     *vocab // the dataset's names, tried first
	nat   *vocab // the mainland admin names
	out   []Element
	seenN bool // a house number was seen
	stop  bool // after a list separator following a number: the rest is noise
}

func parse(t Text, v *vocab) Parsed {
	p := parser{t: t, v: v, nat: national()}
	p.rs = make([]rune, 0, len(t.Off))
	p.bo = make([]int, 0, len(t.Off)+1)
	for b, r := range t.Norm {
		p.rs = append(p.rs, r)
		p.bo = append(p.bo, b)
	}
	p.bo = append(p.bo, len(t.Norm))
	p.run()
	return Parsed{Text: t, Elements: p.out}
}

func (p *parser) text(a, b int) string { return p.t.Norm[p.bo[a]:p.bo[b]] }

func (p *parser) emit(k Kind, a, b int, known bool) *Element {
	p.out = append(p.out, Element{Kind: k, Text: p.text(a, b), Start: a, End: b, Known: known})
	return &p.out[len(p.out)-1]
}

func (p *parser) last() Kind {
	if len(p.out) == 0 {
		return KindOther
	}
	return p.out[len(p.out)-1].Kind
}

func (p *parser) run() {
	n := len(p.rs)
	u := -1 // start of the pending unknown span
	flush := func(end int, next Kind) {
		if u >= 0 && end > u {
			p.classify(u, end, next)
		}
		u = -1
	}
	for i := 0; i < n; {
		if p.stop {
			flush(i, KindOther)
			p.emit(KindOther, i, n, false)
			return
		}
		if p.rs[i] == ' ' || (p.rs[i] == '-' || p.rs[i] == '_') && (i == 0 || !isDigit(p.rs[i-1])) {
			flush(i, KindOther)
			i++
			continue
		}
		if p.rs[i] == ',' {
			flush(i, KindOther)
			if p.seenN {
				p.stop = true
			}
			i++
			continue
		}
		if k, l := p.v.longest(p.t.Norm, p.bo, i); l > 0 {
			flush(i, k)
			p.emit(k, i, i+l, true)
			i += l
			continue
		}
		if u < 0 && p.adminSoFar() {
			// A mainland admin name outside the dataset, in the admin prefix (after it, 浙江 starts
			// a company name): an element, but not a known place.
			if k, l := p.nat.longest(p.t.Norm, p.bo, i); l > 0 && (!nameGoesOn(p.t.Norm[p.bo[i+l]:]) || p.adminAt(i+l)) &&
				!p.suffixFollows(k, i, i+l) && !p.cityInName(k, i, i+l) &&
				!(k == KindStreet && hasAnyPrefix(p.t.Norm[p.bo[i+l]:], zoneWords)) {
				p.emit(k, i, i+l, false)
				i += l
				continue
			}
			if j := p.leadingShortDistrict(i); j > i {
				p.emit(KindDistrict, i, j, false)
				i = j
				continue
			}
			if j := p.shortDistrictAt(i); j > i {
				p.emit(KindDistrict, i, j, false)
				i = j
				continue
			}
			if j := p.shortTownBeforeRoad(i); j > i {
				p.emit(KindStreet, i, j, false)
				i = j
				continue
			}
			if j := p.shortTownAt(i); j > i {
				p.emit(KindStreet, i, j, false)
				i = j
				continue
			}
		}
		if u >= 0 && isConnector(p.rs[i]) && p.endsWithRoad(u, i) {
			flush(i, KindIntersection)
		}
		if j, ok := p.number(i, u); ok {
			if u >= 0 {
				// The element was appended after the pending span; classify the span first.
				e := p.out[len(p.out)-1]
				p.out = p.out[:len(p.out)-1]
				flush(i, e.Kind)
				p.out = append(p.out, e)
			}
			i = j
			continue
		}
		if j, k := p.marker(i); j > i {
			flush(i, k)
			p.emit(k, i, j, false)
			i = j
			continue
		}
		if u < 0 {
			u = i
		}
		i++
	}
	flush(n, KindOther)
}

// adminSoFar reports whether every element so far is an admin area.
func (p *parser) adminSoFar() bool {
	for _, e := range p.out {
		if e.Kind < KindProvince || e.Kind > KindCommunity {
			return false
		}
	}
	return true
}

// shortDistrictAt reads a district's short form at rune i right after its own city (杭州萧山,
// 宁波北仑), taking an older suffix along (广德县 for today's 广德市). It returns the end, or i
// when there is none: a short form before a town or road word is that town or road's name
// (杭州余杭镇 is the town 余杭镇).
func (p *parser) shortDistrictAt(i int) int {
	d := nationalDivisions()
	return p.shortAt(i, KindCity, d.cityCodes, d.shortDistrict, func(rest string) (int, bool) {
		r, _ := utf8.DecodeRuneInString(rest)
		switch {
		case strings.ContainsRune("区县市旗", r):
			return 1, true
		case strings.ContainsRune("镇乡村街路道", r):
			return 0, false
		}
		return 0, true
	})
}

// cityInName reports whether the short city name [i, j) after a district or town starts
// another name rather than repeating the city (杭州市拱墅区杭州南方机电).
func (p *parser) cityInName(k Kind, i, j int) bool {
	if k != KindCity || p.rs[j-1] == '市' || !(p.hasKind(KindDistrict) || p.hasKind(KindStreet)) {
		return false
	}
	return !p.adminAt(j)
}

// suffixFollows reports whether the short city name [i, j) is followed by a district suffix
// that makes it a county's name (宜宾县, 宜宾 being also a city).
func (p *parser) suffixFollows(k Kind, i, j int) bool {
	if k != KindCity || j >= len(p.rs) || p.rs[j-1] == '市' || !strings.ContainsRune("县区旗", p.rs[j]) {
		return false
	}
	return p.nat.known(p.text(i, j+1))
}

// leadingShortDistrict reads a district's short form that opens the address (义乌长春路,
// 桐庐阆苑路), when the short form names one district only in the whole country and what
// follows is neither a town, road or place word (余杭镇, 平湖路) nor the end: people write the
// county they live in first. It returns the end, or i.
func (p *parser) leadingShortDistrict(i int) int {
	if len(p.out) > 0 && p.out[len(p.out)-1].Kind != KindProvince {
		return i
	}
	d := nationalDivisions()
	for l := min(3, len(p.rs)-i-2); l >= 2; l-- {
		if len(d.shortDistrict[p.text(i, i+l)]) != 1 || len(d.districtCodes[p.text(i, i+l)]) != 1 {
			continue
		}
		r := p.rs[i+l]
		switch {
		case strings.ContainsRune("区县市旗", r):
			return i + l + 1
		case strings.ContainsRune("镇乡村街路道巷弄里", r) || isDigit(r):
			return i
		}
		if isCompass(r) || r == '中' || r == '大' || p.roadWithin(i+l, 2) {
			return i // 解放东路, 五常大道, 余杭塘路: the road's own name
		}
		if p.roadWithin(i+l+2, 8) || !p.placeWithin(i+l, 8) {
			return i + l
		}
	}
	return i
}

// placeWithin reports whether a place name built on the county's name ends within n runes
// after i (义乌国际商贸城, 柯桥联合市场, 澄江工业区, 花溪新村): the county's name is the place's.
func (p *parser) placeWithin(i, n int) bool {
	for j := i; j < min(len(p.rs), i+n); j++ {
		switch r := p.rs[j]; {
		case isDigit(r) || r == ',' || r == ' ' || strings.ContainsRune("路街巷弄", r):
			return false
		case strings.ContainsRune("城村区园苑寓", r) || hasAnyPrefix(p.t.Norm[p.bo[j]:], []string{"市场", "商贸", "国际", "公司", "广场", "工业"}):
			return true
		}
	}
	return false
}

// roadWithin reports whether a road name ends within n runes after i (长春路 after 义乌) with
// no place word before it (义乌国际商贸城 is a market's name).
func (p *parser) roadWithin(i, n int) bool {
	for j := i; j < min(len(p.rs), i+n); j++ {
		switch r := p.rs[j]; {
		case isDigit(r) || r == ',' || r == ' ':
			return false
		case strings.ContainsRune("城场厦园苑村镇区", r):
			return false
		case strings.ContainsRune("路街巷弄", r) || r == '道' && p.rs[j-1] == '大':
			return true
		}
	}
	return false
}

// shortTownBeforeRoad reads a 街道/乡镇 short form followed by a road name (集士港春华路,
// 杭州九堡杭乔路) where no district of its own precedes it: right after its own city (the
// town's code starts with the city's), or anywhere in the admin prefix when the short form
// names one town only in the whole country. It returns the end, or i.
func (p *parser) shortTownBeforeRoad(i int) int {
	d := nationalDivisions()
	var cityCodes []string
	if len(p.out) > 0 {
		switch last := p.out[len(p.out)-1]; last.Kind {
		case KindCity:
			cityCodes = d.cityCodes[last.Text]
		case KindDistrict:
			// The district's city: towns move between the districts of one city (江干下沙:
			// 下沙 is 钱塘区's since 2021), and addresses keep the old district.
			for _, c := range d.districtCodes[last.Text] {
				cityCodes = append(cityCodes, c[:min(4, len(c))])
			}
		case KindProvince:
		default:
			return i
		}
	}
	for l := min(3, len(p.rs)-i-2); l >= 2; l-- {
		parents := d.shortTown[p.text(i, i+l)]
		own := slices.ContainsFunc(parents, func(c string) bool {
			return slices.ContainsFunc(cityCodes, func(cc string) bool { return strings.HasPrefix(c, cc) })
		})
		if !own && len(parents) != 1 {
			continue
		}
		if _, taken := d.voc.names[p.text(i, i+l)]; taken {
			continue
		}
		r, rest := p.rs[i+l], p.t.Norm[p.bo[i+l]:]
		switch {
		case isDigit(r):
			// 下沙0号大街: a road named by its number.
			k := i + l
			for k < len(p.rs) && isDigit(p.rs[k]) {
				k++
			}
			if k+1 < len(p.rs) && p.rs[k] == '号' && p.roadWithin(k+1, 3) {
				return i + l
			}
		case isCompass(r):
			// 下沙东大街, but not 湖墅南路 (the road's own name).
			if hasAnyPrefix(rest[utf8.RuneLen(r):], []string{"大街", "大道"}) {
				return i + l
			}
		case p.roadWithin(i+l+2, 8) && !strings.ContainsRune("镇乡村街路道巷弄里大中新老市县区", r) && !isNumeral(r):
			return i + l
		}
	}
	return i
}

// shortTownAt reads a 街道/乡镇 short form at rune i right after its own district (江干区下沙,
// 宁波鄞州高桥), as shortDistrictAt reads districts.
func (p *parser) shortTownAt(i int) int {
	d := nationalDivisions()
	return p.shortAt(i, KindDistrict, d.districtCodes, d.shortTown, func(rest string) (int, bool) {
		switch {
		case strings.HasPrefix(rest, "街道"):
			return 2, true // an older name of the same town (武康镇 now 武康街道)
		case strings.HasPrefix(rest, "镇"), strings.HasPrefix(rest, "乡"):
			return 1, true
		case hasAnyPrefix(rest, []string{"村", "街", "路", "道", "区", "园", "山", "市", "县", "工业", "大道", "大街"}), nameGoesOn(rest):
			return 0, false // 下沙路, 高桥村, 普陀山, 湖墅南路: a road, village or place of that name
		}
		return 0, true
	})
}

// shortAt reads a short admin name at rune i when the last element is of kind parent and one
// of its codes (parentCodes by name) is a parent of the short name (parents by short name).
// tail reads what follows: the runes of an older suffix to take along, or false when what
// follows shows the name is another's. It returns the end, or i.
func (p *parser) shortAt(i int, parent Kind, parentCodes, parents map[string][]string, tail func(string) (int, bool)) int {
	if len(p.out) == 0 || p.out[len(p.out)-1].Kind != parent {
		return i
	}
	codes := parentCodes[p.out[len(p.out)-1].Text]
	for l := min(4, len(p.rs)-i); l >= 2; l-- {
		if !slices.ContainsFunc(parents[p.text(i, i+l)], func(c string) bool { return slices.Contains(codes, c) }) {
			continue
		}
		end := i + l
		if end == len(p.rs) {
			return end
		}
		extra, ok := tail(p.t.Norm[p.bo[end]:])
		if !ok {
			return i
		}
		return end + extra
	}
	return i
}

// adminAt reports whether a mainland admin name starts at rune i (台州市 then 路桥区: the 路
// after 市 starts the district, not a road).
func (p *parser) adminAt(i int) bool {
	if i >= len(p.rs) {
		return false
	}
	k, l := p.nat.longest(p.t.Norm, p.bo, i)
	return l >= 3 && k >= KindProvince && k <= KindStreet
}

// nameGoesOn reports whether the text after an admin name shows the name is the start of a
// longer one: 江西中路, 杭州东路, 西湖区府路.
func nameGoesOn(rest string) bool {
	if hasAnyPrefix(rest, noCut) {
		return true
	}
	r, n := utf8.DecodeRuneInString(rest)
	if isCompass(r) || r == '中' {
		return hasAnyPrefix(rest[n:], roadSuffixes)
	}
	return false
}

// markers are the fixed words recognised anywhere, longest first.
var markers = []struct {
	w string
	k Kind
}{
	{"十字路口", KindIntersection}, {"交叉路口", KindIntersection}, {"交叉口", KindIntersection},
	{"交汇处", KindIntersection}, {"交界处", KindIntersection}, {"交口", KindIntersection},
	{"斜对面", KindAssist}, {"正对面", KindAssist}, {"附近", KindAssist}, {"旁边", KindAssist}, {"对面", KindAssist},
	{"后面", KindAssist}, {"后边", KindAssist}, {"左边", KindAssist}, {"右边", KindAssist}, {"左侧", KindAssist},
	{"右侧", KindAssist}, {"隔壁", KindAssist},
	{"门口", KindAssist}, {"楼下", KindAssist}, {"院内", KindAssist}, {"周边", KindAssist},
	{"联系电话", KindOther}, {"电话", KindOther}, {"电联", KindOther}, {"NULL", KindOther},
}

// marker recognises relative words, directions and connectors at rune i.
func (p *parser) marker(i int) (int, Kind) {
	rest := p.t.Norm[p.bo[i]:]
	for _, m := range markers {
		if strings.HasPrefix(rest, m.w) {
			return i + utf8.RuneCountInString(m.w), m.k
		}
	}
	r := p.rs[i]
	prev := p.last()
	anchored := len(p.out) > 0 && prev != KindOther && prev != KindIntersection
	switch r {
	case '旁':
		if anchored {
			return i + 1, KindAssist
		}
	case '与', '和', '跟', '/':
		if prev == KindRoad {
			return i + 1, KindIntersection
		}
	case '口':
		if prev == KindRoad || prev == KindLane || prev == KindAlley { // 人民路口, 228巷口
			return i + 1, KindIntersection
		}
	case '往', '向':
		if anchored && i+1 < len(p.rs) && isCompass(p.rs[i+1]) {
			return p.direction(i + 1)
		}
	}
	if isCompass(r) && anchored {
		if j, k := p.direction(i); j > i {
			return j, k
		}
	}
	return i, KindOther
}

func isConnector(r rune) bool { return r == '与' || r == '和' || r == '跟' || r == '/' }

func isCompass(r rune) bool { return r == '东' || r == '南' || r == '西' || r == '北' }

// direction reads 东, 东北, 东侧, 东北角, 东北方向 at i when what follows makes it a direction
// (a word like 侧, a distance, or the end) rather than the start of a name (东门路).
func (p *parser) direction(i int) (int, Kind) {
	j := i + 1
	if j < len(p.rs) && isCompass(p.rs[j]) && p.rs[j] != p.rs[i] {
		j++
	}
	end := j
	for _, w := range []string{"方向", "侧", "边", "面", "角", "段"} {
		if strings.HasPrefix(p.t.Norm[p.bo[j]:], w) {
			end = j + utf8.RuneCountInString(w)
			break
		}
	}
	if end == j && j < len(p.rs) && !isDigit(p.rs[j]) && p.rs[j] != ',' {
		return i, KindOther
	}
	return end, KindDirection
}

// number recognises the numbered elements at rune i: 18号, 甲18号, 18-1号, 35之2号, 3段, 228巷,
// 7弄, 3栋, A栋, 2单元, 5层, 5楼, F5, B1, 1001室, 9邻, 3组, 50米. It appends the element and
// returns the index after it.
func (p *parser) number(i, pending int) (int, bool) {
	rs := p.rs
	n := len(rs)
	prefix := ""
	j := i
	switch rs[j] {
	case '甲', '乙', '丙', '丁', '附':
		if j+1 < n && isDigit(rs[j+1]) {
			prefix = string(rs[j])
			j++
		} else {
			return i, false
		}
	case 'F', 'B':
		if j+1 < n && isDigit(rs[j+1]) {
			k := j + 1
			for k < n && isDigit(rs[k]) {
				k++
			}
			if k == n || !isNumberMarker(rs[k]) {
				e := p.emit(KindFloor, i, k, false)
				e.Num = atoi(rs[j+1 : k])
				if rs[j] == 'B' {
					e.Num = -e.Num
				}
				return k, true
			}
		}
	}
	s := j
	if isUpper(rs[j]) {
		if j > 0 && isUpper(rs[j-1]) {
			return i, false
		}
		j++
	}
	for j < n && isDigit(rs[j]) {
		j++
	}
	if j < n && isUpper(rs[j]) && j > s && isDigit(rs[j-1]) && (j+1 == n || !isUpper(rs[j+1])) && rs[j] != 'F' && rs[j] != 'M' {
		j++
	}
	if j == s || !hasDigitOrSingleLetter(rs[s:j]) {
		return i, false
	}
	num := atoi(digitsOf(rs[s:j]))
	mk := func(k Kind, end int) (int, bool) {
		e := p.emit(k, i, end, false)
		e.Num = num
		return end, true
	}
	if j == n || rs[j] == ',' {
		// A bare number right after a road, lane or section is the house number (和平路18).
		last := p.last()
		if pending >= 0 {
			last = KindOther
			if p.endsWithRoad(pending, i) {
				last = KindRoad
			}
		}
		switch last {
		case KindRoad, KindSection, KindLane, KindAlley:
			if !p.seenN {
				p.seenN = true
				e := p.emit(KindNumber, i, j, false)
				e.Num, e.Suffix = num, prefix
				return j, true
			}
		}
		return i, false
	}
	switch rs[j] {
	case '号':
		end := j + 1
		if end < n && strings.ContainsRune("路街", rs[end]) || hasAnyPrefix(p.t.Norm[p.bo[end]:], []string{"大街", "大道"}) {
			return i, false // 0号路, 1号大街: a road named by its number (杭州下沙)
		}
		suffix := prefix
		if end+1 < n && rs[end] == '之' && isDigit(rs[end+1]) {
			// N號之K is a unit of N號, apart from N之K號 (a number between N and the next).
			k := end + 1
			for k < n && isDigit(rs[k]) {
				k++
			}
			if k < n && (rs[k] == '楼' || rs[k] == 'F') && k-end > 2 {
				// 162號之51樓: a floor needs a number, so the last digit run into it is the
				// floor's (之5, 1樓), not the unit's.
				k--
			}
			suffix += "号之" + string(rs[end+1:k])
			end = k
		}
		if end < n && rs[end] == '院' {
			end++
		}
		// 17号甲: the qualifier after the number (registers write 12甲), when nothing but a
		// floor, unit or the end follows it (17号甲级写字楼 is a grade, not a qualifier).
		if suffix == "" && end < n && strings.ContainsRune("甲乙丙丁", rs[end]) &&
			(end+1 == n || isDigit(rs[end+1]) || strings.ContainsRune(",FB楼层室", rs[end+1])) {
			suffix = string(rs[end])
			end++
		}
		return p.house(i, end, num, suffix)
	case '甲', '乙', '丙', '丁':
		if prefix == "" && j+1 < n && rs[j+1] == '号' {
			return p.house(i, j+2, num, string(rs[j])) // 12甲号
		}
	case '-', '之':
		k := j + 1
		for k < n && isDigit(rs[k]) {
			k++
		}
		// N-K is written for N之K (16-1號 is 16之1號).
		sub := prefix + "之" + string(rs[j+1:k])
		if k > j+1 && k < n && rs[k] == '号' {
			return p.house(i, k+1, num, sub)
		}
		if k > j+1 && (k == n || rs[k] == ',') && p.afterStreet(pending, i) {
			return p.house(i, k, num, sub)
		}
		return i, false
	case '段':
		return mk(KindSection, j+1)
	case '巷':
		return mk(KindLane, j+1)
	case '弄':
		return mk(KindAlley, j+1)
	case '栋':
		return mk(KindBuilding, j+1)
	case '单':
		if j+1 < n && rs[j+1] == '元' {
			return mk(KindUnit, j+2)
		}
	case '层', '楼', 'F':
		end := j + 1
		if end+1 < n && rs[end] == '之' && isDigit(rs[end+1]) {
			end += 2
		}
		return mk(KindFloor, end)
	case '室':
		return mk(KindRoom, j+1)
	case '邻':
		return mk(KindNeighbourhood, j+1)
	case '组':
		return mk(KindGroup, j+1)
	case '米', 'M':
		return mk(KindDistance, j+1)
	case '公':
		if j+1 < n && rs[j+1] == '里' {
			e := p.emit(KindDistance, i, j+2, false)
			e.Num = num * 1000
			return j + 2, true
		}
	}
	return i, false
}

// afterStreet reports whether what precedes rune i (the pending span from pending, or the
// last element) is a road, section, lane or alley: a bare number there is a house number.
func (p *parser) afterStreet(pending, i int) bool {
	if pending >= 0 {
		return p.endsWithRoad(pending, i)
	}
	switch p.last() {
	case KindRoad, KindSection, KindLane, KindAlley:
		return true
	}
	return false
}

func (p *parser) house(i, end, num int, suffix string) (int, bool) {
	if p.seenN {
		// A second house number (a list or a room written with 号) is not the address.
		p.emit(KindOther, i, end, false)
		return end, true
	}
	p.seenN = true
	e := p.emit(KindNumber, i, end, false)
	e.Num, e.Suffix = num, suffix
	return end, true
}

func hasDigitOrSingleLetter(rs []rune) bool {
	for _, r := range rs {
		if isDigit(r) {
			return true
		}
	}
	return len(rs) == 1
}

// digitsOf returns the digits of a token such as "A3" → "3"; a lone letter counts as its index.
func digitsOf(rs []rune) []rune {
	var d []rune
	for _, r := range rs {
		if isDigit(r) {
			d = append(d, r)
		}
	}
	if len(d) == 0 && len(rs) == 1 {
		return itoa(int(rs[0]-'A') + 1)
	}
	return d
}

func atoi(rs []rune) int {
	v := 0
	for _, r := range rs {
		if isDigit(r) {
			v = v*10 + int(r-'0')
			if v > 1e9 {
				return v
			}
		}
	}
	return v
}
