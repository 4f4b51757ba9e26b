package gazetteer

import "unicode/utf8"

// t2sLo and t2sHi bound the runes the traditional → simplified table covers; a flat slice
// indexed by rune makes the per-rune cost one bounds check and one load.
const t2sLo, t2sHi = 0x3400, 0x9FFF

// t2sTable maps rune-t2sLo to its simplified form (0 when unchanged). Built once from the
// generated t2sPairs and never written again.
var t2sTable = buildT2S()

func buildT2S() []rune {
	t := make([]rune, t2sHi-t2sLo+1)
	s := t2sPairs
	for len(s) > 0 {
		from, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		to, m := utf8.DecodeRuneInString(s)
		s = s[m:]
		if from >= t2sLo && from <= t2sHi {
			t[from-t2sLo] = to
		}
	}
	return t
}

// t2s returns the simplified form of a traditional character, or r itself.
func t2s(r rune) rune {
	if r >= t2sLo && r <= t2sHi {
		if s := t2sTable[r-t2sLo]; s != 0 {
			return s
		}
	}
	return r
}
