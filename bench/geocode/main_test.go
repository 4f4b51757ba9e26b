package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
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

var update = flag.Bool("update", false, "rewrite docs/geocode-calibration.md from this run")

// evaluated runs the harness on every set once for all the tests of the package.
var evaluated struct {
	once   sync.Once
	names  []string
	passes []*Passes
	err    error
}

func runAll(t *testing.T) ([]string, []*Passes) {
	dir := sharedData(t)
	evaluated.once.Do(func() { evaluated.names, evaluated.passes, evaluated.err = RunAll(dir) })
	if evaluated.err != nil {
		t.Fatal(evaluated.err)
	}
	return evaluated.names, evaluated.passes
}

// TestAccuracy runs the harness on the real sets and holds the figures reached so far, so a
// change that loses accuracy fails. Taipei held-out (the interpolation reading) is far below
// 97 % within 30 m: its 1,200 facility addresses are too sparse to interpolate to 30 m; the
// issue's reading (every row indexed, the held-out fifth geocoded) must reach 97 %. Every
// pass must be honest: no answer at 门牌号 names another number than the one asked unflagged.
func TestAccuracy(t *testing.T) {
	names, passes := runAll(t)
	// minimum shares per set: the first held-out fifth within 30 m and 100 m, every fifth
	// held out in turn (pooled) within 30 m and 100 m, indexed exact, noisy within 30 m
	want := map[string]struct{ held30, held100, pooled30, pooled100, exact, noisy, lanes30 float64 }{
		"taipei_daan":   {0.61, 0.88, 0.59, 0.87, 0.99, 0.95, 0.33},
		"penghu_magong": {0.95, 0.989, 0.945, 0.985, 0.99, 0.95, 0.49},
		"sample_luohu":  {0.88, 0.99, 0.89, 0.995, 0.85, 0.95, 0},
	}
	for i, name := range names {
		c, p := want[name], passes[i]
		t.Run(name, func(t *testing.T) {
			if got := p.HeldOut.Share(1); got < c.held30 {
				t.Errorf("held-out within 30 m = %.3f, want ≥ %.2f", got, c.held30)
			}
			if got := p.HeldOut.Share(2); got < c.held100 {
				t.Errorf("held-out within 100 m = %.3f, want ≥ %.2f", got, c.held100)
			}
			if got := p.Pooled.Share(1); got < c.pooled30 {
				t.Errorf("every fifth held out, within 30 m = %.3f, want ≥ %.3f", got, c.pooled30)
			}
			if got := p.Pooled.Share(2); got < c.pooled100 {
				t.Errorf("every fifth held out, within 100 m = %.3f, want ≥ %.3f", got, c.pooled100)
			}
			// The reading: every row indexed, the untuned fifth within 30 m.
			if got := p.All.Share(1); got < 0.97 {
				t.Errorf("all indexed, held-out within 30 m = %.3f, want ≥ 0.97", got)
			}
			if p.LanesOut != nil && p.LanesOut.Share(1) < c.lanes30 {
				t.Errorf("lanes left out within 30 m = %.3f, want ≥ %.2f", p.LanesOut.Share(1), c.lanes30)
			}
			if got := p.Indexed.ExactShare(); got < c.exact {
				t.Errorf("indexed exact = %.3f, want ≥ %.2f", got, c.exact)
			}
			for _, r := range append(p.real(), p.Noisy...) {
				if r.Dishonest > 0 {
					t.Errorf("%s: %d answers at 门牌号 name another number than asked, unflagged", r.Name, r.Dishonest)
				}
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

// TestCCKS holds the rule parser's figures on the CCKS 2021 training file (read from
// ../shared, never copied): the admin chain, road and road number — what a dispatcher's
// geocode hangs on — at F1 ≥ 0.95 (issue 17), and the micro average over every label.
func TestCCKS(t *testing.T) {
	path := filepath.Join(sharedData(t), "ccks2021", "train.conll")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("CCKS file not present (%v)", err)
	}
	scores, n, err := EvalCCKS(path)
	if err != nil {
		t.Fatal(err)
	}
	if n < 8000 {
		t.Fatalf("read %d addresses", n)
	}
	if _, _, f := AdminRoadScore(scores).Score(); f < 0.949 {
		t.Errorf("admin+road+roadno F1 = %.3f, want ≥ 0.95", f)
	}
	var all F1
	for _, s := range scores {
		all.TP, all.FP, all.FN = all.TP+s.TP, all.FP+s.FP, all.FN+s.FN
	}
	if _, _, f := all.Score(); f < 0.84 {
		t.Errorf("micro F1 = %.3f, want ≥ 0.84", f)
	}
}

// TestCalibration checks that the gazetteer's scores rank the (level, reason) rows as the
// shared data does, and that docs/geocode-calibration.md is this run's table.
func TestCalibration(t *testing.T) {
	names, passes := runAll(t)
	c := Calibrate(names, passes)
	for _, d := range c.Disorders(CalibrationSlack) {
		t.Errorf("score out of order: %s", d)
	}
	var b bytes.Buffer
	c.Markdown(&b, names, passes)
	path := filepath.Join("..", "..", "docs", "geocode-calibration.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, b.Bytes()) {
		t.Errorf("%s is stale: go test ./bench/geocode -run Calibration -update", path)
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
