package gazetteer

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"github.com/paulmach/orb"
)

// Suggestion is one completion of a typed prefix, with where it is, so that a client can put
// a marker without a second call.
type Suggestion struct {
	// ID names the entry across dataset versions: road:建设路, poi:12, area:440303001.
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Kind    string    `json:"kind"` // road, poi, district, town, community
	Count   int       `json:"count,omitempty"`
	Address string    `json:"address,omitempty"` // a POI's published address
	Point   orb.Point `json:"-"`                 // the road's middle, the POI, the area's label point
}

// suggester is a sorted list of keys (normalized names, pinyin initials, full pinyin) pointing
// at entries; a prefix is a binary search plus a short scan. The keys are spans of one text, so
// that the collector has one string to mark rather than one per key.
type suggester struct {
	entries []Suggestion
	text    string   // the distinct keys, end to end
	keys    []keyRef // sorted by key, then entry
	top     postings // best entries of every 1- and 2-rune prefix, ranked
}

// keyRef is a key in suggester.text and its entry.
type keyRef struct {
	off, n uint32
	entry  int32
}

// key returns the key of keys[i].
func (s *suggester) key(i int) string {
	k := &s.keys[i]
	return s.text[k.off : k.off+k.n]
}

// topN is how many entries are kept ranked per short prefix; a short prefix matches thousands
// of names, so ranking them per keystroke would cost more than the 1 ms budget.
const topN = 10

type suggestKey struct {
	key   string
	entry int32
}

// maxReadings caps the pinyin spellings kept per name: heteronyms multiply them (重庆 zq/cq).
const maxReadings = 8

func newSuggester(ix *Index) suggester {
	var (
		s      suggester
		sorted []suggestKey
		memo   = pinyinMemo{}
	)
	// keys makes a name, in characters and pinyin, find entry e.
	keys := func(name string, e int32) {
		n := NormalizeString(name)
		sorted = append(sorted, suggestKey{n, e})
		for _, k := range pinyinKeys(n, memo) {
			sorted = append(sorted, suggestKey{k, e})
		}
	}
	add := func(sg Suggestion) int32 {
		e := int32(len(s.entries))
		s.entries = append(s.entries, sg)
		keys(sg.Name, e)
		return e
	}
	for _, r := range ix.roads {
		count := 0
		for _, st := range r.streets {
			count += len(st.nums)
		}
		p, _ := ix.roadCenter(r)
		add(Suggestion{ID: "road:" + r.display, Name: r.display, Kind: KindRoad.String(), Count: count, Point: p})
	}
	for _, p := range ix.pois {
		if p.building == 0 {
			src := ix.poiSrc(&p)
			if src == nil {
				// a compound named by its buildings
				add(Suggestion{ID: ix.poiID(&p), Name: ix.poiName(&p), Kind: KindPOI.String(), Point: p.point})
				continue
			}
			e := add(Suggestion{ID: ix.poiID(&p), Name: src.Name, Kind: KindPOI.String(), Address: src.Address, Point: p.point})
			for _, a := range src.Aliases {
				keys(a, e) // 东门人民医院 suggests 东门医院, under the name the data gives it
			}
		}
	}
	seen := map[string]bool{}
	for _, code := range slices.Sorted(maps.Keys(ix.areaBy)) {
		a := ix.areaBy[code]
		if !seen[a.Name] {
			seen[a.Name] = true
			p := a.Label
			if p == (orb.Point{}) && len(a.Polygon) > 0 {
				p = a.Polygon.Bound().Center()
			}
			add(Suggestion{ID: "area:" + a.Code, Name: a.Name, Kind: areaKind(a.Level).String(), Point: p})
		}
	}
	slices.SortFunc(sorted, func(a, b suggestKey) int {
		return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.entry, b.entry))
	})
	top := map[string][]int32{}
	for _, k := range sorted {
		for n, i := 0, 0; i < len(k.key) && n < 2; n++ {
			_, size := utf8.DecodeRuneInString(k.key[i:])
			i += size
			top[k.key[:i]] = append(top[k.key[:i]], k.entry)
		}
	}
	for p, ids := range top {
		s.rank(ids)
		ids = slices.Compact(ids)
		top[p] = ids[:min(len(ids), topN)]
	}
	s.top = newPostings(top)
	var text strings.Builder
	s.keys = make([]keyRef, len(sorted))
	for i, k := range sorted {
		if i > 0 && k.key == sorted[i-1].key {
			s.keys[i] = keyRef{off: s.keys[i-1].off, n: s.keys[i-1].n, entry: k.entry}
			continue
		}
		s.keys[i] = keyRef{off: uint32(text.Len()), n: uint32(len(k.key)), entry: k.entry}
		text.WriteString(k.key)
	}
	s.text = text.String()
	return s
}

// pinyinMemo keeps the readings of each rune met, as pinyin.SinglePinyin gives them with
// heteronyms: names repeat their runes, and reading a rune runs regular expressions over
// each of its spellings, half of the suggester's build before.
type pinyinMemo map[rune][]string

// readings returns what pinyin.Pinyin returns with heteronyms: the readings of each rune of n
// that has any.
func (m pinyinMemo) readings(n string) [][]string {
	args := pinyin.NewArgs()
	args.Heteronym = true
	var out [][]string
	for _, r := range n {
		py, ok := m[r]
		if !ok {
			py = pinyin.SinglePinyin(r, args)
			m[r] = py
		}
		if len(py) > 0 {
			out = append(out, py)
		}
	}
	return out
}

// rank orders entries by address count (busy roads first), then shorter names, then id.
func (s *suggester) rank(ids []int32) {
	slices.SortFunc(ids, func(a, b int32) int {
		ea, eb := &s.entries[a], &s.entries[b]
		return cmp.Or(cmp.Compare(eb.Count, ea.Count), cmp.Compare(len(ea.Name), len(eb.Name)), cmp.Compare(a, b))
	})
}

// pinyinKeys returns the initials (hpdl) and the full spelling (hepingdonglu) of a name, one
// per combination of heteronym readings up to maxReadings.
func pinyinKeys(n string, memo pinyinMemo) []string {
	readings := memo.readings(n)
	if len(readings) == 0 {
		return nil
	}
	initials := []string{""}
	for _, rs := range readings {
		var next []string
		for _, pre := range initials {
			seen := ""
			for _, r := range rs {
				if r == "" || strings.ContainsRune(seen, rune(r[0])) {
					continue
				}
				seen += r[:1]
				if len(next) < maxReadings {
					next = append(next, pre+r[:1])
				}
			}
		}
		if len(next) > 0 {
			initials = next
		}
	}
	full := ""
	for _, rs := range readings {
		if len(rs) > 0 {
			full += rs[0]
		}
	}
	return append(initials, full)
}

// Suggest returns up to limit names starting with the prefix, as typed in characters or in
// pinyin (initials "hpdl" or spelt out "heping"); roads with more numbers come first.
func (ix *Index) Suggest(prefix string, limit int) []Suggestion {
	q := NormalizeString(prefix)
	if isLatin(q) {
		q = strings.ToLower(q)
	}
	if q == "" {
		return nil
	}
	if limit <= 0 {
		limit = 10
	}
	if ids := ix.sugg.top.get(q); len(ids) > 0 && limit <= topN {
		out := make([]Suggestion, 0, min(limit, len(ids)))
		for _, id := range ids[:min(limit, len(ids))] {
			out = append(out, ix.sugg.entries[id])
		}
		return out
	}
	keys := ix.sugg.keys
	i, _ := sort.Find(len(keys), func(i int) int { return strings.Compare(q, ix.sugg.key(i)) })
	// Rank at most scanCap matches: a one-letter prefix matches thousands of names.
	const scanCap = 512
	seen := map[int32]bool{}
	var hits []int32
	for ; i < len(keys) && len(hits) < scanCap && strings.HasPrefix(ix.sugg.key(i), q); i++ {
		if e := keys[i].entry; !seen[e] {
			seen[e] = true
			hits = append(hits, e)
		}
	}
	ix.sugg.rank(hits)
	out := make([]Suggestion, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, ix.sugg.entries[h])
	}
	return out
}

func isLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
