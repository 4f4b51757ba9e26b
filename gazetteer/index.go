package gazetteer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// Place is where a point lies: its unit grid and area chain.
type Place struct {
	Grid      string  `json:"grid,omitempty"`
	Community AreaRef `json:"community"`
	Street    AreaRef `json:"street"`
	District  AreaRef `json:"district"`
}

// AreaRef names an area by code and name. Derived marks a stand-in level (Taipei's police
// precincts standing in for 街道): it is named in the chain but left out of formatted
// addresses, which no resident would write it in.
type AreaRef struct {
	Code    string `json:"code,omitempty"`
	Name    string `json:"name,omitempty"`
	Derived bool   `json:"derived,omitempty"`
}

// InAddress returns the name as a formatted address writes it: none for a stand-in level.
func (a AreaRef) InAddress() string {
	if a.Derived {
		return ""
	}
	return a.Name
}

// Options configure an Index. The zero value works: without Locate, results carry the
// community recorded on an address and the chain of a matched area only.
type Options struct {
	// City is the deployment city (深圳市): addresses without a city are taken to be in it,
	// and addresses naming another one are doubtful. New derives City and Province from the
	// dataset's area codes (DeploymentOf) when both are empty.
	City string
	// Province is the deployment province (广东省).
	Province string
	// Locate returns the grid and area chain of a point; the server adapts geo.Index.Locate.
	Locate func(orb.Point) Place
}

// LocateWith adapts a geo index to Options.Locate: one grid lookup gives the grid and the
// whole area chain of a result.
func LocateWith(gx *geo.Index) func(orb.Point) Place { return LocateBy(gx.Locate) }

// LocateBy adapts any locate function to Options.Locate: a city serving edits over its index
// passes its own, so that answers name the grids as served, not as the index was built.
func LocateBy(locate func(orb.Point) geo.Location) func(orb.Point) Place {
	return func(p orb.Point) Place {
		loc := locate(p)
		var pl Place
		if loc.Grid != nil {
			pl.Grid = loc.Grid.Code
		}
		for _, a := range []struct {
			ref  *AreaRef
			area *data.Area
		}{{&pl.Community, loc.Community}, {&pl.Street, loc.Street}, {&pl.District, loc.District}} {
			if a.area != nil {
				*a.ref = AreaRef{Code: a.area.Code, Name: a.area.Name, Derived: a.area.Derived}
			}
		}
		return pl
	}
}

// Index is the gazetteer of one dataset: built once by New, then read-only and safe for
// concurrent use.
type Index struct {
	opts      Options
	pl        plane
	voc       *vocab
	roads     []*road
	byName    map[string]int32 // normalized road name and variants → road
	fuzzy     postings         // one-rune deletions of road names → roads
	streets   map[streetKey]*street
	streetIDs []*street // by street.id: what an addr names its street by
	lines     []namedLine
	addrs     []addr           // the 门牌, then (from real on) lane entrances
	suffixes  []string         // the distinct qualifiers of numbers, "" first (addr.sfx)
	suffixBy  map[string]int32 // suffixes' numbers (a few hundred distinct qualifiers)
	// dsAddrs and poiAddrs are what an addr names its source by (addr.src): the dataset's own
	// slice, which costs the collector nothing more, and the 门牌 read off POIs' addresses.
	dsAddrs, poiAddrs []*data.Address
	real              int
	spacing           float64 // median metres between consecutive same-side numbers (numberSpacing)
	lanes             laneFit // where a lane's numbers lie along it (fitLanes)
	pois              []poi
	poiText           []string    // the distinct names and designations of pois, "" first (poi.name, poi.building)
	dsPOIs            []*data.POI // the dataset's POIs, which poi.src names
	poiBy             postings    // normalized POI name/alias/compound → pois
	poiDel            postings    // one-rune deletions of POI names
	areas             map[string]*data.Area
	areaBy            map[string]*data.Area // by code
	ownDist           map[string]bool       // normalized names (and short forms) of the dataset's districts
	roadParts         map[string]streetKey  // readRoad's answers by raw road name, while New runs
	draft             *draft                // the maps that become fuzzy, poiBy and poiDel, while New runs
	cells             cellIndex
	sugg              suggester
	// hidden, in the view a Patched answers through, are the features edits replaced: every
	// lookup of a single 门牌 or POI passes them by. nil in an index New built.
	hidden *Hidden
	lins   map[string]int32 // village + 鄰 (linKey) → id
	linMid []orb.Point      // by 鄰 id: the middle of its houses (linMiddles)
}

// road is every street (section, lane, alley) sharing one road name.
type road struct {
	name    string // normalized
	display string // as the data spells it
	lines   []orb.LineString
	streets []*street
}

// namedLine is a road centreline with the name reverse geocoding gives it (和平東路三段228巷).
type namedLine struct {
	road  int32
	label string
	line  orb.LineString
	main  bool // an expressway or arterial road (主干路): AMap's roadlevel=1
}

// streetKey identifies a numbered street: road + 段 + 巷 + 弄.
type streetKey struct {
	road                 int32
	section, lane, alley int32
}

// street holds the house numbers of one road/section/lane/alley sorted by number.
type street struct {
	id     int32 // in Index.streetIDs
	key    streetKey
	label  string  // 和平東路三段228巷: spelt once at build time for reverse geocoding
	nums   []int32 // indices into Index.addrs, sorted by number then suffix
	lines  []orb.LineString
	center orb.Point
	// spacing is the street's own metres per number (streetSpacing), set at build time.
	spacing float64
}

// addr is one indexed 门牌. It names its street, its source and its number's qualifier by number
// rather than by pointer: a city's 门牌 table is hundreds of thousands of rows, and two pointers a
// row were ~400,000 pointers for the collector to follow on every cycle (Index.streetOf,
// Index.srcOf), and a qualifier's string made the whole table, 10 MB on the 100k-grid city, an
// object it scans (Index.suffix).
type addr struct {
	num   int32
	lin   int32 // the 鄰 its address names (linOf), 0 when none
	sfx   int32 // its number's qualifier (之1, 号之2, 甲) in Index.suffixes; 0 for none
	point orb.Point
	st    int32 // its street, in Index.streetIDs
	// src is its source: i+1 for dsAddrs[i], -(i+1) for poiAddrs[i], 0 for none (a lane
	// entrance or mouth the index inferred).
	src int32
	// stray: out of sequence along its side (markStrays); it answers for its own number but
	// anchors no other.
	stray bool
}

// poi is a POI or a building (a compound's 栋). It names its text and its source by number
// rather than by pointer, as addr does: a city's buildings are a poi each, and three pointers a
// row were hundreds of thousands for the collector to follow on every cycle.
type poi struct {
	name     int32 // normalized, in Index.poiText
	point    orb.Point
	building int32 // normalized designation ("3栋") for buildings, in Index.poiText; 0 ("") otherwise
	compound bool  // an entry standing for a whole compound
	src      int32 // i+1 for the dataset's POIs[i]; 0 for a compound or a building
}

// poiName returns p's normalized name.
func (ix *Index) poiName(p *poi) string { return ix.poiText[p.name] }

// poiBuilding returns p's normalized designation, "" for a POI or a compound.
func (ix *Index) poiBuilding(p *poi) string { return ix.poiText[p.building] }

// poiSrc returns p's source POI, nil for a compound or a building.
func (ix *Index) poiSrc(p *poi) *data.POI {
	if p.src == 0 {
		return nil
	}
	return ix.dsPOIs[p.src-1]
}

// New builds the index of a dataset. The dataset must not change afterwards. A dataset no index
// can hold (data.Dataset.CheckIndexable) is an error naming the feature, never a panic.
func New(ds *data.Dataset, opts Options) (*Index, error) {
	if err := ds.CheckIndexable(); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	ix := &Index{
		opts:      opts,
		voc:       newVocab(),
		byName:    map[string]int32{},
		streets:   map[streetKey]*street{},
		draft:     &draft{fuzzy: map[string][]int32{}, poiBy: map[string][]int32{}, poiDel: map[string][]int32{}},
		areas:     map[string]*data.Area{},
		areaBy:    map[string]*data.Area{},
		ownDist:   map[string]bool{},
		roadParts: map[string]streetKey{},
		lins:      map[string]int32{},
		suffixes:  []string{""},
		suffixBy:  map[string]int32{"": 0},
	}
	if opts.City == "" && opts.Province == "" {
		dep := DeploymentOf(ds)
		ix.opts.City, ix.opts.Province = dep.City, dep.Province
	}
	ix.pl = newPlane(centre(ds))
	for _, a := range ds.Areas {
		ix.addArea(a)
	}
	for _, r := range ds.Roads {
		t := Normalize(r.Name)
		base, sec, lane, alley := splitRoadName(t.Norm)
		display := r.Name
		if base != t.Norm {
			display = t.RawSpan(0, utf8.RuneCountInString(base))
		}
		ri := ix.roadFor(base, display)
		k := streetKey{road: ri, section: sec, lane: lane, alley: alley}
		if lane == 0 && alley == 0 {
			ix.roads[ri].lines = append(ix.roads[ri].lines, r.Line)
		}
		if k != (streetKey{road: ri}) {
			s := ix.streetFor(k)
			s.lines = append(s.lines, r.Line)
		}
		main := r.Class == data.RoadExpressway || r.Class == data.RoadArterial
		ix.lines = append(ix.lines, namedLine{road: ri, label: display + streetLabel(k), line: r.Line, main: main})
	}
	for _, r := range ix.roads {
		r.lines = joinLines(r.lines)
		for _, s := range r.streets {
			s.lines = joinLines(s.lines)
		}
	}
	ix.addrs = make([]addr, 0, len(ds.Addresses))
	var mouths []addr
	ix.dsAddrs = ds.Addresses
	for i, a := range ds.Addresses {
		k, ok := ix.keyOf(a)
		if !ok {
			continue
		}
		if a.Number == 0 {
			// No 门牌: a register's lane entrance (a lane or alley with no number) marks where
			// the lane leaves its parent street, at the parent's number equal to the lane's.
			if parent, num, ok := parentOf(k); ok {
				mouths = append(mouths, addr{num: num, point: a.Point, st: ix.streetFor(parent).id})
			}
			continue
		}
		s := ix.streetFor(k)
		var lin int32
		if strings.ContainsRune(a.Full, '鄰') || strings.ContainsRune(a.Full, '邻') {
			lin = ix.linOf(NormalizeString(a.Full), true)
		}
		ix.addrs = append(ix.addrs, addr{num: int32(a.Number), lin: lin, sfx: ix.suffixID(suffixOf(a)), point: a.Point, st: s.id, src: int32(i + 1)})
	}
	ix.addPOIAddresses(ds.POIs)
	ix.roadParts = nil
	ix.real = len(ix.addrs)
	ix.addrs = append(ix.addrs, mouths...)
	ix.addEntrances()
	if slack := cap(ix.addrs) - len(ix.addrs); slack > len(ix.addrs)/16 {
		ix.addrs = slices.Clone(ix.addrs) // appending left up to a quarter of the slice unused
	}
	for i := range ix.addrs {
		s := ix.streetOf(&ix.addrs[i])
		s.nums = append(s.nums, int32(i))
	}
	for _, s := range ix.streets {
		slices.SortStableFunc(s.nums, func(a, b int32) int {
			x, y := &ix.addrs[a], &ix.addrs[b]
			return cmp.Or(cmp.Compare(x.num, y.num), strings.Compare(ix.suffix(x), ix.suffix(y)))
		})
		s.center = ix.streetCenter(s)
		s.label = ix.roads[s.key.road].display + streetLabel(s.key)
		ix.markStrays(s)
	}
	ix.spacing = ix.numberSpacing()
	ix.linMid = ix.linMiddles()
	for _, s := range ix.streets {
		s.spacing = ix.streetSpacing(s)
	}
	// After the spacings: placing a lane's mouth on its parent interpolates with them.
	ix.markFarHouses()
	ix.lanes = ix.fitLanes()
	ix.dsPOIs = ds.POIs
	for i, p := range ds.POIs {
		ix.addPOI(poi{name: ix.draft.text(ix, NormalizeString(p.Name)), point: p.Point, src: int32(i + 1)}, p.Aliases)
	}
	var raw string // a compound as the data spells it, c its normalized name's number: buildings come in runs
	var c int32
	for _, b := range ds.Buildings {
		if b.Compound != raw || c == 0 {
			raw, c = b.Compound, ix.draft.text(ix, NormalizeString(b.Compound))
		}
		if _, ok := ix.draft.poiBy[ix.poiText[c]]; !ok {
			ix.addPOI(poi{name: c, point: b.Point, compound: true}, nil)
		}
		ix.addPOI(poi{name: c, point: b.Point, building: ix.draft.text(ix, NormalizeString(b.Name))}, nil)
	}
	ix.fuzzy = newPostings(ix.draft.fuzzy)
	ix.poiBy = newPostings(ix.draft.poiBy)
	ix.poiDel = newPostings(ix.draft.poiDel)
	ix.draft = nil
	ix.cells = newCellIndex(ix)
	ix.sugg = newSuggester(ix)
	return ix, nil
}

// draft holds what New gathers in maps before it lays them out flat.
type draft struct {
	fuzzy, poiBy, poiDel map[string][]int32
	// names numbers each distinct POI name, compound and building designation in
	// Index.poiText (draft.text).
	names map[string]int32
}

// text returns the number of s in ix.poiText, adding it the first time: the buildings of a
// compound repeat its name, and designations (3栋) repeat across compounds.
func (b *draft) text(ix *Index, s string) int32 {
	if len(ix.poiText) == 0 {
		ix.poiText = append(ix.poiText, "")
		b.names = map[string]int32{"": 0}
	}
	return intern(&ix.poiText, b.names, s)
}

// intern returns the number of s in list, by, which maps list's strings to their numbers,
// appending it to both the first time.
func intern(list *[]string, by map[string]int32, s string) int32 {
	if i, ok := by[s]; ok {
		return i
	}
	i := int32(len(*list))
	*list = append(*list, s)
	by[s] = i
	return i
}

// centre returns a point inside the data for the local plane.
func centre(ds *data.Dataset) orb.Point {
	b := ds.Bound()
	if !b.IsEmpty() && b.Max[1] != 0 {
		return b.Center()
	}
	for _, a := range ds.Addresses {
		return a.Point
	}
	for _, p := range ds.POIs {
		return p.Point
	}
	return orb.Point{0, 30}
}

func (ix *Index) addArea(a *data.Area) {
	ix.areaBy[a.Code] = a
	n := NormalizeString(a.Name)
	k := areaKind(a.Level)
	if k == KindDistrict {
		ix.ownDist[n] = true
		ix.ownDist[stripAdminSuffix(n)] = true
	}
	ix.areas[n] = a
	ix.voc.add(n, k)
	if short := stripAdminSuffix(n); short != n && utf8.RuneCountInString(short) >= 2 {
		if _, ok := ix.areas[short]; !ok {
			ix.areas[short] = a
			ix.voc.add(short, k)
		}
	}
}

// areaKind is the parse kind of an area level.
func areaKind(l data.AreaLevel) Kind {
	switch l {
	case data.Street:
		return KindStreet
	case data.Community:
		return KindCommunity
	}
	return KindDistrict
}

// stripAdminSuffix returns 罗湖 for 罗湖区, 东门 for 东门街道.
func stripAdminSuffix(n string) string {
	for _, s := range []string{"街道办事处", "街道", "社区", "居委会", "区", "县", "镇", "乡", "村", "里"} {
		if strings.HasSuffix(n, s) {
			return strings.TrimSuffix(n, s)
		}
	}
	return n
}

// splitRoadName splits 和平东路3段228巷7弄 into 和平东路, 3, 228, 7 (OSM names carry them).
func splitRoadName(n string) (base string, section, lane, alley int32) {
	rs := []rune(n)
	peel := func(word rune) int32 {
		if len(rs) < 3 || rs[len(rs)-1] != word {
			return 0
		}
		i := len(rs) - 1
		for i > 0 && isDigit(rs[i-1]) {
			i--
		}
		if i == len(rs)-1 || i == 0 {
			return 0
		}
		v := int32(atoi(rs[i : len(rs)-1]))
		rs = rs[:i]
		return v
	}
	alley = peel('弄')
	lane = peel('巷')
	section = peel('段')
	return string(rs), section, lane, alley
}

// roadFor returns the road of a normalized name, creating it with its name variants.
func (ix *Index) roadFor(name, display string) int32 {
	if ri, ok := ix.byName[name]; ok {
		return ri
	}
	ri := int32(len(ix.roads))
	ix.roads = append(ix.roads, &road{name: name, display: display})
	ix.byName[name] = ri
	ix.voc.add(name, KindRoad)
	// 中山二路 is also written 中山2路: index the arabic variant of a numeral inside the name.
	if v := numeralVariant(name); v != name {
		if _, ok := ix.byName[v]; !ok {
			ix.byName[v] = ri
			ix.voc.add(v, KindRoad)
		}
	}
	for _, d := range deletions(name) {
		ix.draft.fuzzy[d] = append(ix.draft.fuzzy[d], ri)
	}
	return ri
}

// numeralVariant rewrites every Chinese numeral run inside a name as arabic digits.
func numeralVariant(n string) string {
	us := make([]unit, 0, len(n))
	for _, r := range n {
		us = append(us, unit{r: r})
	}
	changed := false
	var out []rune
	for i := 0; i < len(us); {
		if isNumeral(us[i].r) && !isDigit(us[i].r) {
			j := i
			for j < len(us) && isNumeral(us[j].r) {
				j++
			}
			out = append(out, itoa(chineseValue(us[i:j]))...)
			changed = true
			i = j
			continue
		}
		out = append(out, us[i].r)
		i++
	}
	if !changed {
		return n
	}
	return string(out)
}

// maxNameRunes bounds the names fuzzy matching considers: no road or POI name is longer, and
// a query span past it (a pasted paragraph) would cost its length cubed.
const maxNameRunes = 40

// deletions returns the name with each one rune removed (symmetric-delete fuzzy matching: two
// names one edit apart share a deletion or one is a deletion of the other).
func deletions(n string) []string {
	if len(n) > 4*maxNameRunes {
		return nil
	}
	rs := []rune(n)
	if len(rs) < 3 || len(rs) > maxNameRunes {
		return nil
	}
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// streetOf returns a's street.
func (ix *Index) streetOf(a *addr) *street { return ix.streetIDs[a.st] }

// suffix returns the qualifier of a's number ("" for none).
func (ix *Index) suffix(a *addr) string { return ix.suffixes[a.sfx] }

// suffixID returns the number of qualifier s in Index.suffixes, adding it; "" is 0.
func (ix *Index) suffixID(s string) int32 { return intern(&ix.suffixes, ix.suffixBy, s) }

// srcOf returns a's source address, nil for an entrance or mouth the index inferred.
func (ix *Index) srcOf(a *addr) *data.Address {
	switch {
	case a.src > 0:
		return ix.dsAddrs[a.src-1]
	case a.src < 0:
		return ix.poiAddrs[-a.src-1]
	}
	return nil
}

func (ix *Index) streetFor(k streetKey) *street {
	s, ok := ix.streets[k]
	if !ok {
		s = &street{id: int32(len(ix.streetIDs)), key: k}
		ix.streets[k] = s
		ix.streetIDs = append(ix.streetIDs, s)
		r := ix.roads[k.road]
		r.streets = append(r.streets, s)
	}
	return s
}

// keyOf returns the street key of an address; false when it has no road.
func (ix *Index) keyOf(a *data.Address) (streetKey, bool) {
	// Addresses repeat their road names: read each distinct spelling once.
	rp, ok := ix.roadParts[a.Road]
	if !ok {
		rp = ix.readRoad(a.Road)
		ix.roadParts[a.Road] = rp
	}
	if rp.road < 0 {
		return streetKey{}, false
	}
	k := rp
	// The address's own section, lane and alley win over those its road name carries.
	if s := numberOf(a.Section); s > 0 {
		k.section = s
	}
	if l := numberOf(a.Lane); l > 0 {
		k.lane = l
	}
	if l := numberOf(a.Alley); l > 0 {
		k.alley = l
	}
	return k, true
}

// readRoad reads an address's road name: the road (created when new) and the section, lane
// and alley the name carries (罗湖88巷, as road names in the dataset do); road −1 when the
// name is empty.
func (ix *Index) readRoad(raw string) streetKey {
	name := NormalizeString(raw)
	if _, known := ix.byName[name]; !known {
		name = cleanRoad(name)
	}
	if name == "" {
		return streetKey{road: -1}
	}
	base, sec, lane, alley := splitRoadName(name)
	display := raw
	if base != name {
		display = Normalize(raw).RawSpan(0, utf8.RuneCountInString(base))
	}
	return streetKey{road: ix.roadFor(base, display), section: sec, lane: lane, alley: alley}
}

// cleanRoad drops admin names glued in front of a road name (台北市大安区信义路 → 信义路), a
// common slip in address files, so the vocabulary holds the road alone.
func cleanRoad(n string) string {
	p := parse(Text{Norm: n, Off: make([]int32, utf8.RuneCountInString(n))}, nil)
	if len(p.Elements) < 2 {
		return n
	}
	last := p.Elements[len(p.Elements)-1]
	for _, e := range p.Elements[:len(p.Elements)-1] {
		// Only city and district names are glued on by mistake; 鹿丹村一路 is a name.
		if e.Kind < KindProvince || e.Kind > KindDistrict {
			return n
		}
	}
	if last.Kind != KindRoad {
		return n
	}
	return last.Text
}

// numberOf reads the number of "三段", "3", "228巷".
func numberOf(s string) int32 {
	if s == "" {
		return 0
	}
	n := NormalizeString(s + "号")
	return int32(atoi([]rune(n)))
}

// streetCenter is the middle of a street: its numbers' middle entry, else its line's midpoint.
func (ix *Index) streetCenter(s *street) orb.Point {
	if len(s.nums) > 0 {
		return ix.addrs[s.nums[len(s.nums)/2]].point
	}
	if len(s.lines) > 0 {
		l := s.lines[len(s.lines)/2]
		if len(l) > 0 {
			return l[len(l)/2]
		}
	}
	return orb.Point{}
}

func (ix *Index) addPOI(p poi, aliases []string) {
	i := int32(len(ix.pois))
	ix.pois = append(ix.pois, p)
	names := []string{ix.poiName(&p)}
	for _, a := range aliases {
		names = append(names, NormalizeString(a))
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		ix.draft.poiBy[n] = append(ix.draft.poiBy[n], i)
		if p.building == 0 {
			ix.voc.add(n, KindPOI)
			for _, d := range deletions(n) {
				ix.draft.poiDel[d] = append(ix.draft.poiDel[d], i)
			}
		}
	}
}

// Parse splits an address into elements using the index's vocabulary of area, road and POI
// names as well as the rules.
func (ix *Index) Parse(s string) Parsed { return parse(Normalize(s), ix.voc) }

// Len returns the number of indexed house numbers.
func (ix *Index) Len() int { return ix.real }

// entranceMaxNum is the highest first number of a lane that still marks its entrance.
const entranceMaxNum = 10

// addEntrances adds, for every lane (巷) and alley (弄), an entry on its parent street at the
// number equal to the lane's: Taiwan numbers a lane after the house it leaves the street at,
// so 24巷 starts by 24号. The entry sits at the lane's lowest number and gives interpolation an
// anchor on streets whose own houses are sparse. Entries have no source and never match as a
// 门牌 themselves.
func (ix *Index) addEntrances() {
	first := map[*street]*addr{}
	// The houses of every lane, and of the streets they leave, for their projected mouths.
	houses := map[*street][]int32{}
	for i := range ix.addrs[:ix.real] {
		a := &ix.addrs[i]
		st := ix.streetOf(a)
		if st.key.lane > 0 && st.key.alley == 0 {
			houses[st] = append(houses[st], int32(i))
		}
		if f := first[st]; f == nil || a.num < f.num {
			first[st] = a
		}
	}
	parents := map[*street]bool{}
	for s := range houses {
		if p := ix.streets[streetKey{road: s.key.road, section: s.key.section}]; p != nil {
			parents[p] = true
		}
	}
	if len(parents) > 0 {
		for i := range ix.addrs[:ix.real] {
			if a := &ix.addrs[i]; parents[ix.streetOf(a)] {
				houses[ix.streetOf(a)] = append(houses[ix.streetOf(a)], int32(i))
			}
		}
	}
	for s, a := range first {
		if s.key.lane > 0 && s.key.alley == 0 {
			if p, ok := ix.projectedMouth(s, houses); ok {
				ix.addrs = append(ix.addrs, addr{num: s.key.lane, point: p, st: ix.streetFor(streetKey{road: s.key.road, section: s.key.section}).id})
				continue
			}
		}
		if a.num > entranceMaxNum {
			continue // the lane's first known house is too deep inside it to mark the entrance
		}
		var parent streetKey
		var num int32
		switch {
		case s.key.alley > 0:
			parent, num = streetKey{road: s.key.road, section: s.key.section, lane: s.key.lane}, s.key.alley
		case s.key.lane > 0:
			parent, num = streetKey{road: s.key.road, section: s.key.section}, s.key.lane
		default:
			continue
		}
		ix.addrs = append(ix.addrs, addr{num: num, point: a.point, st: ix.streetFor(parent).id})
	}
}

// maxMouthReach is how far (metres) from its parent's line a lane's house may lie for its
// projection onto the line to mark where the lane leaves.
const maxMouthReach = 120

// projectedMouth estimates where lane s leaves its parent street from the lane's houses: the
// projection onto the parent's line of the lane's house nearest to it (a lane leaves its street
// across it, so its houses lie off the line at the mouth's place along it), set off the line on
// the lane's side by the parent's houses of that side. False when the parent has no line.
func (ix *Index) projectedMouth(s *street, houses map[*street][]int32) (orb.Point, bool) {
	parent := streetKey{road: s.key.road, section: s.key.section}
	ps := ix.streets[parent]
	var lines []orb.LineString
	if ps != nil {
		lines = ix.streetLines(ps)
	} else if parent.section == 0 {
		lines = ix.roads[parent.road].lines
	}
	if len(lines) == 0 {
		return orb.Point{}, false
	}
	best, bl := linePos{dist: math.Inf(1)}, orb.LineString(nil)
	var house *addr
	for _, i := range ix.nearestByNumber(houses[s], 0, false, mouthHouses) {
		a := &ix.addrs[i]
		for _, l := range lines {
			if len(l) < 2 {
				continue
			}
			if p := ix.pl.project(l, a.point); p.dist < best.dist {
				best, bl, house = p, l, a
			}
		}
	}
	if bl == nil || best.dist > maxMouthReach {
		return orb.Point{}, false
	}
	off := ix.pl.signedOffset(bl, best, house.point)
	side := math.Copysign(1, off)
	// The setback of the parent's houses on the lane's side of the line.
	var offs []float64
	if ps != nil {
		for _, i := range ix.nearestByNumber(houses[ps], s.key.lane, true, mouthHouses) {
			a := &ix.addrs[i]
			p := ix.pl.project(bl, a.point)
			if p.dist <= maxSideOffset {
				if o := ix.pl.signedOffset(bl, p, a.point); o*side > 0 {
					offs = append(offs, math.Abs(o))
				}
			}
		}
	}
	set := min(math.Abs(off), defaultSetback)
	if len(offs) > 0 {
		slices.Sort(offs)
		set = offs[len(offs)/2]
	}
	return ix.pl.atOffset(bl, best.m, side*set), true
}

// mouthHouses is how many houses project a lane's mouth: the lane's lowest numbers (nearest
// its mouth), and the street's numbers of the lane's parity nearest to it (their setback). A
// few keep the build linear in the number of 门牌.
const mouthHouses = 4

// nearestByNumber returns up to n of houses (positions in ix.addrs) nearest to num in number, of
// num's parity only when sameParity is set.
func (ix *Index) nearestByNumber(houses []int32, num int32, sameParity bool, n int) []int32 {
	out := make([]int32, 0, n)
	for _, i := range houses {
		a := &ix.addrs[i]
		if sameParity && (a.num-num)%2 != 0 {
			continue
		}
		if len(out) < n {
			out = append(out, i)
			continue
		}
		// Replace the farthest kept when this one is nearer.
		far := 0
		for j := range out {
			if abs32(ix.addrs[out[j]].num-num) > abs32(ix.addrs[out[far]].num-num) {
				far = j
			}
		}
		if abs32(a.num-num) < abs32(ix.addrs[out[far]].num-num) {
			out[far] = i
		}
	}
	return out
}

// defaultSetback is how far (metres) from a street's line its houses lie when none of that
// side is known.
const defaultSetback = 10
