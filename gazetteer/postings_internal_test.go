package gazetteer

import (
	"hash/maphash"
	"slices"
	"testing"
)

func TestPostings(t *testing.T) {
	m := map[string][]int32{"建设路": {3, 1, 2}, "建设": {7}, "和平東路三段": {0}, "": {9}, "x": nil}
	p := newPostings(m)
	check := func(p *postings, why string) {
		t.Helper()
		for k, want := range m {
			if got := p.get(k); !slices.Equal(got, want) {
				t.Errorf("%s: get(%q) = %v, want %v", why, k, got, want)
			}
		}
		for _, k := range []string{"建设路1", "建", "y", "和平东路三段"} {
			if got := p.get(k); got != nil {
				t.Errorf("%s: get(%q) = %v, want nil", why, k, got)
			}
		}
	}
	check(&p, "by hash")
	// A name whose hash an earlier name took is found through clash instead.
	h := maphash.String(p.seed, "建设路")
	e := p.at[h]
	delete(p.at, h)
	p.clash = map[string]uint32{"建设路": e}
	check(&p, "by clash")
	if got := p.get("建设路"); cap(got) != len(got) {
		t.Errorf("get returned a list with room to append over the next one: len %d cap %d", len(got), cap(got))
	}
}
