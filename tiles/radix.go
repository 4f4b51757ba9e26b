package tiles

import "math/bits"

// radixBits is the width of one digit of radixSort: 2,048 counters, 8 KB, stay in the L1 cache.
const radixBits = 11

// radixSort sorts vs by their bits from lo up, stably: values equal in those bits keep their
// order. It is a least-significant-digit radix sort that skips the digits in which every value
// agrees; the index sorts millions of packed keys whose varying bits are few (a city's cells
// span a few hundred rows and columns of the world's 2^19, its component ids a few billion
// numbers), so it makes three or four passes where slices.Sort took ~0.1 s for each of the
// 2M-component city's two sorts. No sort is needed where a value's bits below lo already come
// in order (a position, listed ascending), since the sort is stable.
func radixSort[T ~uint64](vs []T, lo uint) {
	if len(vs) < 2 {
		return
	}
	var vary T // the bits in which some value differs from the first
	for _, v := range vs {
		vary |= v ^ vs[0]
	}
	vary &^= 1<<lo - 1
	if vary == 0 {
		return
	}
	buf := make([]T, len(vs))
	src, dst := vs, buf
	const mask = 1<<radixBits - 1
	var count [1<<radixBits + 1]int
	for vary != 0 {
		shift := uint(bits.TrailingZeros64(uint64(vary)))
		clear(count[:])
		for _, v := range src {
			count[(v>>shift)&mask+1]++
		}
		for d := 1; d < len(count); d++ {
			count[d] += count[d-1]
		}
		for _, v := range src {
			d := (v >> shift) & mask
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
		vary &^= mask << shift
	}
	if &src[0] != &vs[0] {
		copy(vs, src)
	}
}
