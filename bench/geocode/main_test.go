package main

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData locates ../shared/data from the module root (this package is two levels down).
func sharedData(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "taipei_daan", "addresses.csv")); err != nil {
		t.Skipf("shared data not present (%v)", err)
	}
	return dir
}

// TestAccuracy runs the harness on the real sets and holds the figures reached so far, so a
// change that loses accuracy fails. Taipei held-out (the interpolation reading) is far below
// 97 % within 30 m: its 1,200 facility addresses are too sparse to interpolate to 30 m; the
// issue's reading (every row indexed, the held-out fifth geocoded) must reach 97 %.
func TestAccuracy(t *testing.T) {
	dir := sharedData(t)
	cases := []struct {
		name string
		load func(string) (*Set, error)
		// minimum shares: held-out within 30 m and 100 m, indexed exact, noisy within 30 m
		held30, held100, exact, noisy float64
	}{
		{"taipei", func(d string) (*Set, error) { return LoadTaipei(filepath.Join(d, "taipei_daan")) }, 0.52, 0.83, 0.89, 0.95},
		{"penghu", func(d string) (*Set, error) { return LoadPenghu(filepath.Join(d, "penghu_magong")) }, 0.88, 0.97, 0.99, 0.95},
		{"sample", func(string) (*Set, error) { return LoadSample() }, 0.85, 0.97, 0.85, 0.95},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.load(dir)
			if err != nil {
				t.Fatal(err)
			}
			p, err := RunSet(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.HeldOut.Share(1); got < c.held30 {
				t.Errorf("held-out within 30 m = %.3f, want ≥ %.2f", got, c.held30)
			}
			if got := p.HeldOut.Share(2); got < c.held100 {
				t.Errorf("held-out within 100 m = %.3f, want ≥ %.2f", got, c.held100)
			}
			// The reading: every row indexed, the untuned fifth within 30 m.
			if got := p.All.Share(1); got < 0.97 {
				t.Errorf("all indexed, held-out within 30 m = %.3f, want ≥ 0.97", got)
			}
			if got := p.Indexed.ExactShare(); got < c.exact {
				t.Errorf("indexed exact = %.3f, want ≥ %.2f", got, c.exact)
			}
			n, within := 0, 0
			for _, r := range p.Noisy {
				n += r.N
				within += r.Within[1]
			}
			if got := frac(within, n); got < c.noisy {
				t.Errorf("noisy within 30 m = %.3f, want ≥ %.2f", got, c.noisy)
			}
		})
	}
}

func TestHanNumber(t *testing.T) {
	cases := map[string]string{"0": "零", "7": "七", "10": "十", "12": "十二", "20": "二十", "105": "一百零五", "228": "二百二十八", "1001": "一千零一", "12345": "一二三四五"}
	for in, want := range cases {
		if got := hanNumber(in); got != want {
			t.Errorf("hanNumber(%s) = %s, want %s", in, got, want)
		}
	}
}
