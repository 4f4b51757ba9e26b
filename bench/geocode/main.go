// Command geocode measures the gazetteer's accuracy on the real address sets in ../shared/data
// (taipei_daan, penghu_magong) and on the built-in sample city (mainland forms). It indexes four
// fifths of the rows (a hash split on the address, so duplicates stay on one side), geocodes the
// held-out fifth and the indexed rows, then noisy variants of the indexed rows; then it indexes
// every row and geocodes the held-out fifth again (rows in the index, but never used for
// tuning). Per pass it prints the share within 10/30/100 m, the exact 门牌 share, the levels,
// the share within 10/30/100 m per (level, reason), the honesty count (answers at 门牌号 with no
// reason whose number is not the one asked) and the worst misses; then the calibration
// disorders (a higher score landing farther from the truth than a lower one). It first scores
// the rule parser on the CCKS 2021 address-parsing set (exact spans per label).
//
// With -folds it cross-validates instead: each fifth in turn is held out and geocoded with the
// other four indexed, and the five readings are printed with their pool (every row geocoded
// once, never from an index holding it), so that a figure does not hang on which rows one
// split happens to hold out.
//
// Both readings also print the neighbours' line (brackets.go): for each held-out number with an
// indexed number of its parity on either side, how often the straight line between those two
// lands near the truth, against our answers on the same rows, by how far apart the pair is —
// the share the indexed points themselves allow.
//
// Usage: go run ./bench/geocode [-shared ../shared/data] [-worst 10] [-ccks=false] [-folds]
// [-calibration docs/geocode-calibration.md] [-results answers.tsv]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"citygeo/gazetteer"
)

func main() {
	shared := flag.String("shared", filepath.Join("..", "shared", "data"), "folder holding taipei_daan and penghu_magong")
	worst := flag.Int("worst", 10, "misses to list per pass")
	ccks := flag.Bool("ccks", true, "also score the rule parser on ccks2021/train.conll")
	sets := flag.Bool("sets", true, "evaluate the address sets (taipei, penghu, sample)")
	calibration := flag.String("calibration", "", "write the calibration table (markdown) to this file")
	results := flag.String("results", "", "write every held-out and lanes-left-out answer (tab-separated) to this file")
	folds := flag.Bool("folds", false, "cross-validate: hold out each fifth in turn, print each reading and their pool")
	flag.Parse()
	if *ccks {
		scores, n, err := EvalCCKS(filepath.Join(*shared, "ccks2021", "train.conll"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "geocode bench:", err)
			os.Exit(1)
		}
		printCCKS(os.Stdout, scores, n)
		fmt.Println()
	}
	if !*sets {
		return
	}
	do := func() error { return run(*shared, *worst, *calibration, *results) }
	if *folds {
		do = func() error { return crossValidate(*shared, *worst, *results) }
	}
	if err := do(); err != nil {
		fmt.Fprintln(os.Stderr, "geocode bench:", err)
		os.Exit(1)
	}
}

// Passes is one set's reports. The first reading indexes four fifths of the rows: HeldOut
// geocodes the fifth left out (interpolation), Indexed and Noisy the indexed rows. The second
// reading (All) indexes every row, as an import of the whole file would, and geocodes the
// held-out fifth only: those rows are in the index but were never used to tune the geocoder.
type Passes struct {
	HeldOut, Indexed *Report
	Noisy            []*Report
	All              *Report
	// Kinds sorts the held-out rows (and their misses) by kind.
	Kinds map[string]*KindCount
	// Pooled is the held-out reading of every fold in turn (CrossValidate), Folds its parts:
	// every row geocoded once from an index without it. The calibration counts Pooled.
	Pooled *Report
	Folds  []*Report
	// LanesOut geocodes every lane's rows with the whole lane left out of the index (nil for
	// a set without lanes).
	LanesOut *Report
}

// RunSet evaluates one set.
func RunSet(s *Set) (*Passes, error) {
	ix, err := gazetteer.New(s.Split(), gazetteer.Options{})
	if err != nil {
		return nil, err
	}
	all, err := gazetteer.New(s.All(), gazetteer.Options{})
	if err != nil {
		return nil, err
	}
	held, in := s.parts()
	p := &Passes{
		HeldOut: Evaluate(s.Name+" held-out", ix, held, nil),
		Indexed: Evaluate(s.Name+" indexed", ix, in, nil),
	}
	p.All = Evaluate(s.Name+" all indexed, held-out rows", all, held, nil)
	p.HeldOut.Label(in)
	p.Kinds = Kinds(p.HeldOut)
	if p.Pooled, p.Folds, err = CrossValidate(s); err != nil {
		return nil, err
	}
	if p.LanesOut, err = LanesOut(s); err != nil {
		return nil, err
	}
	vs, err := Variants()
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		p.Noisy = append(p.Noisy, Evaluate(s.Name+" noisy: "+v.Name, ix, in, v.Fn))
	}
	return p, nil
}

// parts returns the rows the set's fold holds out and the rows it indexes.
func (s *Set) parts() (held, in []Row) {
	for _, r := range s.Rows {
		if s.isHeldOut(r) {
			held = append(held, r)
		} else {
			in = append(in, r)
		}
	}
	return held, in
}

// LoadAll loads every set: Taipei, Penghu, then the sample city.
func LoadAll(shared string) ([]*Set, error) {
	loaders := []func(string) (*Set, error){
		func(d string) (*Set, error) { return LoadTaipei(filepath.Join(d, "taipei_daan")) },
		func(d string) (*Set, error) { return LoadPenghu(filepath.Join(d, "penghu_magong")) },
		func(string) (*Set, error) { return LoadSample() },
	}
	var sets []*Set
	for _, load := range loaders {
		s, err := load(shared)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// CrossValidate holds out each fold of s in turn, geocodes it with the other folds indexed,
// and returns each fold's labelled reading and their pool.
func CrossValidate(s *Set) (pooled *Report, folds []*Report, err error) {
	defer func(fold int) { s.Fold = fold }(s.Fold)
	for f := range Folds {
		s.Fold = f
		ix, err := gazetteer.New(s.Split(), gazetteer.Options{})
		if err != nil {
			return nil, nil, err
		}
		held, in := s.parts()
		rep := Evaluate(fmt.Sprintf("%s held-out, fold %d", s.Name, f), ix, held, nil)
		rep.Label(in)
		folds = append(folds, rep)
	}
	return Pool(s.Name+" held-out, "+strconv.Itoa(Folds)+" folds pooled", folds), folds, nil
}

// RunAll loads and evaluates every set: Taipei, Penghu, then the sample city.
func RunAll(shared string) ([]string, []*Passes, error) {
	sets, err := LoadAll(shared)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	var passes []*Passes
	for _, s := range sets {
		p, err := RunSet(s)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, s.Name)
		passes = append(passes, p)
	}
	return names, passes, nil
}

func run(shared string, worst int, calibration, results string) error {
	names, passes, err := RunAll(shared)
	if err != nil {
		return err
	}
	if results != "" {
		if err := writeAll(results, names, passes); err != nil {
			return err
		}
	}
	for i, p := range passes {
		p.HeldOut.Print(os.Stdout, worst, true)
		printKinds(os.Stdout, p.Kinds)
		printMissCauses(os.Stdout, MissCauses(p.HeldOut))
		printBrackets(os.Stdout, Brackets(p.HeldOut))
		p.Pooled.Print(os.Stdout, 0, false)
		printFolds(os.Stdout, p.Folds)
		if p.LanesOut != nil {
			p.LanesOut.Print(os.Stdout, worst, true)
		}
		p.All.Print(os.Stdout, worst, true)
		p.Indexed.Print(os.Stdout, worst, true)
		n, within := 0, 0
		for _, r := range p.Noisy {
			r.Print(os.Stdout, min(worst, 3), false)
			n += r.N
			within += r.Within[1]
		}
		fmt.Printf("%-34s n=%5d ≤30m=%5.1f%%\n\n", names[i]+" noisy (all variants)", n, 100*frac(within, n))
	}
	c := Calibrate(names, passes)
	for _, d := range c.Disorders(CalibrationSlack) {
		fmt.Println("calibration disorder:", d)
	}
	if calibration == "" {
		return nil
	}
	f, err := os.Create(calibration)
	if err != nil {
		return err
	}
	c.Markdown(f, names, passes)
	return f.Close()
}

// crossValidate prints the cross-validated held-out reading of every set: the pool with its
// cells, kinds and causes of misses, and each fold's shares; results, when given, receives
// every pooled answer.
func crossValidate(shared string, worst int, results string) error {
	sets, err := LoadAll(shared)
	if err != nil {
		return err
	}
	var out *os.File
	if results != "" {
		if out, err = os.Create(results); err != nil {
			return err
		}
		defer out.Close()
	}
	for _, s := range sets {
		pooled, folds, err := CrossValidate(s)
		if err != nil {
			return err
		}
		pooled.Print(os.Stdout, worst, true)
		printFolds(os.Stdout, folds)
		printKinds(os.Stdout, Kinds(pooled))
		printMissCauses(os.Stdout, MissCauses(pooled))
		printBrackets(os.Stdout, Brackets(pooled))
		fmt.Println()
		if out != nil {
			writeResults(out, s.Name, pooled)
		}
	}
	if out != nil {
		return out.Close()
	}
	return nil
}

// printFolds writes each fold's shares within 10, 30 and 100 m.
func printFolds(w io.Writer, folds []*Report) {
	for _, r := range folds {
		fmt.Fprintf(w, "    %-30s n=%5d ≤10m=%5.1f%% ≤30m=%5.1f%% ≤100m=%5.1f%%\n", r.Name, r.N, 100*r.Share(0), 100*r.Share(1), 100*r.Share(2))
	}
}

// writeAll writes the held-out and lanes-left-out answers of every set to path.
func writeAll(path string, names []string, passes []*Passes) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for i, p := range passes {
		writeResults(f, names[i], p.HeldOut)
		if p.LanesOut != nil {
			writeResults(f, names[i]+" lanes out", p.LanesOut)
		}
	}
	return f.Close()
}

// CalibrationSlack is how much a higher-scored row's share may fall short of a lower one's.
const CalibrationSlack = 0.02
