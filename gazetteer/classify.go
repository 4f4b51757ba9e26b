package gazetteer

import (
	"strings"
	"unicode/utf8"
)

// adminSuffixes end an administrative name, most specific spelling first.
var adminSuffixes = []struct {
	w string
	k Kind
}{
	{"特别行政区", KindProvince}, {"自治区", KindProvince}, {"自治州", KindCity}, {"自治县", KindDistrict},
	// Names ending in 区 that are no district: compounds and development zones.
	{"小区", KindPOI}, {"工业园区", KindDevzone}, {"工业区", KindDevzone}, {"开发区", KindDevzone},
	{"高新区", KindDevzone}, {"园区", KindDevzone}, {"新区", KindDevzone}, {"景区", KindPOI}, {"校区", KindPOI},
	{"商务区", KindDevzone}, {"功能区", KindDevzone}, {"加工区", KindDevzone}, {"投资区", KindDevzone},
	{"实验区", KindDevzone}, {"示范区", KindDevzone}, {"集中区", KindDevzone}, {"保税区", KindDevzone},
	{"度假区", KindDevzone}, {"商贸区", KindDevzone}, {"生活区", KindPOI}, {"住宅区", KindPOI},
	{"院区", KindPOI}, {"厂区", KindPOI}, {"别墅区", KindPOI}, {"办公区", KindPOI}, {"交易区", KindPOI},
	// Shops and trades named with 市 or 旗 (超市, 门市, 旗舰店) are places.
	{"超市", KindPOI}, {"都市", KindPOI}, {"城市", KindPOI}, {"门市", KindPOI}, {"夜市", KindPOI},
	{"菜市", KindPOI}, {"集市", KindPOI}, {"旗舰", KindPOI},
	{"村民小组", KindGroup}, {"村民组", KindGroup},
	{"居委会", KindCommunity}, {"街办事处", KindStreet}, {"办事处", KindStreet}, {"街道", KindStreet}, {"社区", KindCommunity},
	{"省", KindProvince}, {"市", KindCity}, {"区", KindDistrict}, {"县", KindDistrict},
	{"旗", KindDistrict}, {"镇", KindStreet}, {"乡", KindStreet}, {"村", KindCommunity},
}

// zoneWords start the name of a zone named after the town before it (掌起镇工业园区).
var zoneWords = []string{"工业", "开发区", "园区", "创新园", "产业园", "科技园", "经济"}

// roadSuffixes end a road name.
var roadSuffixes = []string{"大街", "大道", "胡同", "路", "街", "道", "巷", "弄", "里", "坊"}

// noCut lists what, right after an admin suffix, shows the suffix is part of a name
// (市场, 区府路, 新村路, 市中心 …).
var noCut = []string{"场", "政", "民", "府", "委", "路", "街", "道", "巷", "弄", "里", "中心", "口", "大街", "大道"}

func hasAnyPrefix(s string, ws []string) bool {
	for _, w := range ws {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// classify turns an unknown span [a, b) into elements: admin names cut at their suffixes
// (浙江省杭州市西湖区 …), then a road, intersection or POI name. next is the kind of the element
// that follows the span: a span before a section, lane or house number is a road even without
// a road suffix (a misspelt name).
func (p *parser) classify(a, b int, next Kind) {
	for a < b {
		cut, kindCut := -1, KindOther
		for k := a + 1; k < b && cut < 0; k++ {
			for _, s := range adminSuffixes {
				if !strings.HasPrefix(p.t.Norm[p.bo[k]:p.bo[b]], s.w) {
					continue
				}
				if s.w == "区" && (isDigit(p.rs[k-1]) || isUpper(p.rs[k-1]) || isNumeral(p.rs[k-1])) {
					break // A区, 0区, 二区: a part of a compound, not a district
				}
				end := k + len([]rune(s.w))
				if end < b && hasAnyPrefix(p.t.Norm[p.bo[end]:p.bo[b]], noCut) {
					break
				}
				if s.w == "村" && end < b && strings.ContainsRune("镇乡", p.rs[end]) {
					break // 付村镇: the town's name holds 村
				}
				if (s.w == "镇" || s.w == "乡") && end < b && hasAnyPrefix(p.t.Norm[p.bo[end]:p.bo[b]], zoneWords) {
					break // 掌起镇工业园区: the zone is named after its town
				}
				kind := s.k
				if kind >= KindProvince && kind <= KindStreet {
					// The longer suffix may start before k (工业区 read from its 区).
					if lk, ok := placeSuffix(p.text(a, end)); ok {
						kind = lk
					}
				}
				if kind >= KindProvince && kind <= KindStreet && !p.nat.known(p.text(a, end)) {
					if k-a < 2 {
						break // 小区, 东区, 新区: one rune before the suffix names no admin area
					}
					if s.w == "区" && (isCompass(p.rs[k-1]) || p.rs[k-1] == '中') {
						break // 顺达花苑西区, 太古城南区: a part of a compound (城东区 is in the table)
					}
					if !p.adminSoFar() {
						break // after a road or a place, only a listed admin name is one (古墩路城市心境)
					}
				}
				cut = end
				kindCut = kind
				break
			}
		}
		if cut < 0 {
			break
		}
		kind := kindCut
		// Noise run into a national name (中国浙江省, AAAA浙江省): the name alone is the area.
		for m := a + 1; m < cut-1; m++ {
			name := p.text(m, cut)
			if stripAdminSuffix(name) == "" || isSuffixWord(name) {
				continue // 街道, 办事处 alone are no town's name
			}
			nk := p.nat.names[name]
			switch {
			case nk >= KindProvince && nk <= KindDistrict, nk == KindStreet && p.shortAdmin(a, m) > 0:
				// 东阳白云街道, 龙华明治街道: a short admin name before the town is its own element.
				if j := p.shortAdmin(a, m); j > 0 {
					p.emit(j, a, m, false)
				} else {
					p.emit(KindOther, a, m, false)
				}
			case kindCut == KindStreet && p.endsWithRoad(a, m) && m-a >= 3:
				p.emit(KindRoad, a, m, false) // 龙皇路径山镇: the road, then the town
			default:
				continue
			}
			a = m
			break
		}
		nk := p.nat.names[p.text(a, cut)]
		switch {
		case nk == KindProvince || nk == KindCity:
			// 浙江省, 杭州市 written again after the road: the national table's level.
			p.emit(nk, a, cut, false)
			a = cut
			continue
		case kind == KindProvince && len(p.out) > 0:
			kind = KindCity
		}
		if (kind == KindPOI || kind == KindDevzone) && p.roadThenPlace(a, cut, kind) {
			a = cut
			continue
		}
		if kind == KindCity && (p.hasKind(KindCity) || p.nat.names[p.text(a, cut)] != KindCity) {
			// A county-level city under its city (咸阳市兴平市), or a 市 the national table
			// does not list as a city: every prefecture-level city is in it, so the rest are
			// county-level (奉化市, since made a district) and count as districts.
			kind = KindDistrict
		}
		p.emit(kind, a, cut, false)
		a = cut
	}
	if a >= b {
		return
	}
	// Taiwan village before a neighbourhood: 中央里9邻.
	if next == KindNeighbourhood && p.rs[b-1] == '里' && b-a >= 2 {
		p.emit(KindCommunity, a, b, false)
		return
	}
	// A road's 口 ends an intersection: 建设路人民路口.
	if b-a >= 3 && p.rs[b-1] == '口' && isRoadEnd(p.rs[b-2]) {
		p.roads(a, b-1)
		p.emit(KindIntersection, b-1, b, false)
		return
	}
	if p.endsWithRoad(a, b) && !p.compoundName(a, b, next) {
		a = p.placeBeforeRoad(a, b)
		p.roads(a, b)
		return
	}
	switch next {
	case KindSection, KindLane, KindAlley, KindNumber:
		p.emit(KindRoad, a, b, false)
		return
	}
	if p.roadThenPlace(a, b, KindPOI) {
		return
	}
	if b-a >= 2 {
		p.place(a, b, KindPOI)
		return
	}
	p.emit(KindOther, a, b, false)
}

// place emits a place name of kind k, and the part of it a trailing word names apart (翠竹苑
// A区, 福田市场二期, 清波公寓南大门) as a sub-place when a name of two runes or more is left.
func (p *parser) place(a, b int, k Kind) {
	if j := p.subPlaceStart(a, b); j-a >= 2 {
		p.emit(k, a, j, false)
		p.emit(KindSubPOI, j, b, false)
		return
	}
	p.emit(k, a, b, false)
}

// subPlaceStart returns where a trailing sub-place word starts in [a, b) — a letter, number
// or compass before 区, 期 or 门 (A区, 二期, 东区, 3号门), or 大门/正门/后门 — or a when there
// is none.
func (p *parser) subPlaceStart(a, b int) int {
	if b-a < 2 {
		return a
	}
	last := p.rs[b-1]
	switch last {
	case '区', '期', '门':
	default:
		return a
	}
	j := b - 1
	if last == '门' && j > a && strings.ContainsRune("大正后侧东南西北", p.rs[j-1]) {
		j--
		if j > a && p.rs[j] == '门' {
			return a
		}
		if j > a && p.rs[j] == '大' && isCompass(p.rs[j-1]) {
			j-- // 南大门
		}
		return j
	}
	if j > a && p.rs[j-1] == '号' {
		j-- // 3号门
	}
	k := j
	for k > a && (isDigit(p.rs[k-1]) || isNumeral(p.rs[k-1]) || isUpper(p.rs[k-1])) {
		k--
	}
	if k == j && k > a && (isCompass(p.rs[k-1]) || p.rs[k-1] == '中') && last == '区' {
		k--
	}
	if k == j || k == b-1 {
		return a
	}
	return k
}

func isRoadEnd(r rune) bool { return r == '路' || r == '街' || r == '道' || r == '巷' }

func (p *parser) endsWithRoad(a, b int) bool {
	if b-a < 2 {
		return false
	}
	s := p.t.Norm[p.bo[a]:p.bo[b]]
	for _, suf := range roadSuffixes {
		if strings.HasSuffix(s, suf) && len(s) > len(suf) {
			return true
		}
	}
	return false
}

// placeEnds end a place name that is often written straight before a road (模具城金型路,
// 神山工业园振华北路, 下骆宅振兴东路): the road starts after them.
var placeEnds = []string{"工业园", "工业区", "园区", "中心", "广场", "市场", "大厦", "花园", "小区", "园", "城", "村", "宅"}

// roads emits one road, or two when the span holds two names run together (建设路人民路); a
// place name run into the road's (模具城金型路) is split off as a POI.
func (p *parser) roads(a, b int) {
	for k := b - 3; k > a; k-- {
		for _, w := range placeEnds {
			n := utf8.RuneCountInString(w)
			if k-n >= a+1 && p.text(k-n, k) == w && !p.endsWithRoad(a, k) {
				p.emit(KindPOI, a, k, false)
				p.roadPair(k, b)
				return
			}
		}
	}
	p.roadPair(a, b)
}

// roadPair emits one road, or two when the span holds two names run together (建设路人民路).
func (p *parser) roadPair(a, b int) {
	for k := a + 2; k < b-2; k++ {
		if (p.rs[k] == '路' || p.rs[k] == '街') && p.endsWithRoad(k+1, b) && !isCompass(p.rs[k+1]) {
			p.emit(KindRoad, a, k+1, false)
			p.emit(KindRoad, k+1, b, false)
			return
		}
	}
	p.emit(KindRoad, a, b, false)
}

func (p *parser) hasKind(k Kind) bool {
	for _, e := range p.out {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// HasRoadSuffix reports whether a normalized name ends in a road word (路, 街, 大道, 巷 …).
func HasRoadSuffix(n string) bool {
	for _, suf := range roadSuffixes {
		if strings.HasSuffix(n, suf) && len(n) > len(suf) {
			return true
		}
	}
	return false
}

// placeBeforeRoad splits a village or hamlet name written before a road right after the
// town or village it lies in (姜山镇胡家坟振兴路, 小港衙前纬三路): a road name the index does not
// know that runs five runes or more after an admin element is read as the usual road name (two
// runes and the road word, or three when the third is a compass or numeral: 金陵北路) after a
// place of at least two runes. It emits the place as a community and returns where the road
// starts.
func (p *parser) placeBeforeRoad(a, b int) int {
	if b-a < 5 || len(p.out) == 0 {
		return a
	}
	switch p.out[len(p.out)-1].Kind {
	case KindStreet, KindCommunity:
	default:
		return a
	}
	if !isRoadEnd(p.rs[b-1]) || p.rs[b-2] == '大' || p.rs[b-2] == '公' {
		return a // 大道, 公路 names are long
	}
	start := b - 3
	if r := p.rs[b-2]; isCompass(r) || r == '中' || isNumeral(r) || isDigit(r) {
		start = b - 4
	}
	if start-a < 2 || hasAnyPrefix(p.t.Norm[p.bo[start]:], []string{"环", "横", "纵"}) {
		return a
	}
	for k := a; k < start; k++ {
		if isCompass(p.rs[k]) || isNumeral(p.rs[k]) || isDigit(p.rs[k]) {
			return a // 人民东一路, 中山南二路: one name
		}
	}
	p.emit(KindCommunity, a, start, false)
	return start
}

// roadThenPlace emits a road name followed by a place name (迎宾西路北大资源, 江汉东路迎春小区)
// as the road and a place of kind k, and reports whether the span [a, b) is one. A compass
// word right after the road is a direction (人民路北侧), unless a name of two runes or more
// follows it (霞西路北海联合市场).
func (p *parser) roadThenPlace(a, b int, k Kind) bool {
	for r := b - 3; r > a; r-- {
		if !p.roadWordAt(r) || !p.endsWithRoad(a, r+1) || hasAnyPrefix(p.t.Norm[p.bo[r+1]:p.bo[b]], noCut) {
			continue
		}
		if isCompass(p.rs[r+1]) {
			if j, _ := p.direction(r + 1); j > r+1 || b-(r+1) < 3 {
				continue
			}
		}
		p.roads(a, r+1)
		p.place(r+1, b, k)
		return true
	}
	return false
}

// shortAdmin returns the kind of the short admin name [a, b) (东阳 a city's, 龙华 a
// district's), or 0 when it is none.
func (p *parser) shortAdmin(a, b int) Kind {
	d := nationalDivisions()
	n := p.text(a, b)
	switch {
	case len(d.cityCodes[n]) > 0:
		return KindCity
	case len(d.districtCodes[n]) > 0:
		return KindDistrict
	}
	return 0
}

// placeSuffix returns the kind of the place or zone suffix n ends with (工业区, 超市), if any.
func placeSuffix(n string) (Kind, bool) {
	for _, s := range adminSuffixes {
		if (s.k == KindPOI || s.k == KindDevzone) && strings.HasSuffix(n, s.w) {
			return s.k, true
		}
	}
	return 0, false
}

// roadWordAt reports whether rune r ends a road name that a place name may follow: 路, 街,
// 大道, and a named 巷 or 弄 (not 3巷, which numbers a lane).
func (p *parser) roadWordAt(r int) bool {
	switch p.rs[r] {
	case '路', '街':
		return true
	case '道':
		return r > 0 && p.rs[r-1] == '大'
	case '巷', '弄':
		return r > 0 && !isDigit(p.rs[r-1]) && !isNumeral(p.rs[r-1])
	}
	return false
}

// compoundName reports whether [a, b), ending in 里 or 坊, names a compound rather than a
// lane (清河坊0幢, 探梅里, 保利春天里): it is a lane only when a house number follows it.
func (p *parser) compoundName(a, b int, next Kind) bool {
	if r := p.rs[b-1]; r != '里' && r != '坊' {
		return false
	}
	switch next {
	case KindNumber, KindSection, KindLane, KindAlley:
		return false
	}
	return true
}

// isSuffixWord reports whether n is one of the admin suffixes itself (办事处, 街道).
func isSuffixWord(n string) bool {
	for _, s := range adminSuffixes {
		if s.w == n {
			return true
		}
	}
	return false
}
