package gazetteer

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Taiwan's neighbourhoods (鄰): a village (里) is cut into numbered 鄰 of a few dozen households
// each, and a register writes the 鄰 in every address (光榮里4鄰貿商街142號). A 鄰 is one stretch
// of houses, so where the 鄰 changes between two known numbers of a street, the numbers asked
// in the farther 鄰 lie on that one's side of the change, not spread evenly between the two.

// linKey returns the village and 鄰 a normalized address names ("光荣里4"), or "" when it names
// none.
func linKey(norm string) string {
	i := strings.Index(norm, "邻")
	if i <= 0 {
		return ""
	}
	j := i
	for j > 0 && norm[j-1] >= '0' && norm[j-1] <= '9' {
		j--
	}
	if j == i || j == 0 {
		return ""
	}
	r, size := utf8.DecodeLastRuneInString(norm[:j])
	if r != '里' {
		return ""
	}
	k := j - size
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(norm[:k])
		if strings.ContainsRune("市区县乡镇", r) || isDigit(r) {
			break
		}
		k -= size
	}
	if utf8.RuneCountInString(norm[k:j-size]) < 2 { // a one-rune name before 里 is no village
		return ""
	}
	return norm[k:i]
}

// linOf returns the id of the 鄰 a normalized address names, interning it; 0 for none.
func (ix *Index) linOf(norm string, add bool) int32 {
	key := linKey(norm)
	if key == "" {
		return 0
	}
	if id, ok := ix.lins[key]; ok || !add {
		return id
	}
	id := int32(len(ix.lins) + 1)
	ix.lins[key] = id
	return id
}

// linT moves the fraction t of num between the known numbers a and b (a below) to the side of
// the 鄰 change when exactly one of them lies in num's 鄰: num is placed from that one by the
// city's spacing per number, unless proportion already puts it nearer.
func (ix *Index) linT(a, b *addr, num int32, t float64, lin int32) float64 {
	if lin == 0 || a.lin == b.lin || (a.lin != lin && b.lin != lin) || ix.spacing <= 0 {
		return t
	}
	d := ix.pl.Distance(a.point, b.point)
	if d <= 0 {
		return t
	}
	if b.lin == lin {
		return max(t, 1-float64(b.num-num)*ix.spacing/d)
	}
	return min(t, float64(num-a.num)*ix.spacing/d)
}

// inLin places a number its street cannot vouch for (out of range of the street's known
// numbers) among the houses of the 鄰 the address names: a 鄰 is one block of a few dozen
// households, so its known house on the same street nearest in number, else the 鄰's middle,
// lies nearer than a point extrapolated hundreds of metres past the street's last known
// number. False when the address names no 鄰 or the index holds no house of it.
func (ix *Index) inLin(s *street, num, lin int32) (orb.Point, bool) {
	if lin == 0 {
		return orb.Point{}, false
	}
	var best *addr
	for _, i := range s.nums {
		a := &ix.addrs[i]
		if a.lin != lin || !ix.anchor(a) {
			continue
		}
		if best == nil || abs32(a.num-num) < abs32(best.num-num) {
			best = a
		}
	}
	if best != nil {
		return best.point, true
	}
	if int(lin) < len(ix.linMid) && ix.linMid[lin] != (orb.Point{}) {
		return ix.linMid[lin], true
	}
	return orb.Point{}, false
}

// linMiddle returns the middle of the indexed houses of the 鄰 a normalized address names, and
// the 鄰 as written in the index ("西文里1邻"); false when it names none or the index holds no
// house of it. A street the index does not know still lies in its 鄰: a block of a few dozen
// households is far nearer the house than the whole village's point.
func (ix *Index) linMiddle(norm string) (orb.Point, string, bool) {
	lin := ix.linOf(norm, false)
	if lin <= 0 || int(lin) >= len(ix.linMid) || ix.linMid[lin] == (orb.Point{}) {
		return orb.Point{}, "", false
	}
	return ix.linMid[lin], linKey(norm) + "邻", true
}

// linMiddles returns, by 鄰 id, the middle (the median longitude and latitude) of the 鄰's
// indexed houses: robust to a house recorded in the wrong place. Nil when no address names a
// 鄰.
func (ix *Index) linMiddles() []orb.Point {
	if len(ix.lins) == 0 {
		return nil
	}
	xs := make([][]float64, len(ix.lins)+1)
	ys := make([][]float64, len(ix.lins)+1)
	for i := range ix.addrs[:ix.real] {
		if a := &ix.addrs[i]; a.lin > 0 {
			xs[a.lin] = append(xs[a.lin], a.point[0])
			ys[a.lin] = append(ys[a.lin], a.point[1])
		}
	}
	mid := make([]orb.Point, len(xs))
	for id := range xs {
		if n := len(xs[id]); n > 0 {
			slices.Sort(xs[id])
			slices.Sort(ys[id])
			mid[id] = orb.Point{xs[id][n/2], ys[id][n/2]}
		}
	}
	return mid
}
