// Command geocode measures the gazetteer's accuracy on the real address sets in ../shared/data
// (taipei_daan, penghu_magong) and on the built-in sample city (mainland forms): it indexes four fifths of the rows (a hash split on the
// address, so duplicates stay on one side), geocodes the held-out fifth and the indexed rows,
// then noisy variants of the indexed rows; then it indexes every row and geocodes the held-out
// fifth again (rows in the index, but never used for tuning), and prints the share within 10/30/100 m, the exact
// 门牌 share, the levels and the worst misses. It first scores the rule parser on the CCKS 2021
// address-parsing set (exact spans per label).
//
// Usage: go run ./bench/geocode [-shared ../shared/data] [-worst 10]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"citygeo/gazetteer"
)

func main() {
	shared := flag.String("shared", filepath.Join("..", "shared", "data"), "folder holding taipei_daan and penghu_magong")
	worst := flag.Int("worst", 10, "misses to list per pass")
	ccks := flag.Bool("ccks", true, "also score the rule parser on ccks2021/train.conll")
	sets := flag.Bool("sets", true, "evaluate the address sets (taipei, penghu, sample)")
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
	if err := run(*shared, *worst); err != nil {
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
	var held, in []Row
	for _, r := range s.Rows {
		if r.isHeldOut() {
			held = append(held, r)
		} else {
			in = append(in, r)
		}
	}
	p := &Passes{
		HeldOut: Evaluate(s.Name+" held-out", ix, held, nil),
		Indexed: Evaluate(s.Name+" indexed", ix, in, nil),
	}
	p.All = Evaluate(s.Name+" all indexed, held-out rows", all, held, nil)
	vs, err := Variants()
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		p.Noisy = append(p.Noisy, Evaluate(s.Name+" noisy: "+v.Name, ix, in, v.Fn))
	}
	return p, nil
}

func run(shared string, worst int) error {
	loaders := []func(string) (*Set, error){
		func(d string) (*Set, error) { return LoadTaipei(filepath.Join(d, "taipei_daan")) },
		func(d string) (*Set, error) { return LoadPenghu(filepath.Join(d, "penghu_magong")) },
		func(string) (*Set, error) { return LoadSample() },
	}
	for _, load := range loaders {
		s, err := load(shared)
		if err != nil {
			return err
		}
		p, err := RunSet(s)
		if err != nil {
			return err
		}
		p.HeldOut.Print(os.Stdout, worst)
		p.All.Print(os.Stdout, worst)
		p.Indexed.Print(os.Stdout, worst)
		n, within := 0, 0
		for _, r := range p.Noisy {
			r.Print(os.Stdout, worst)
			n += r.N
			within += r.Within[1]
		}
		fmt.Printf("%-34s n=%5d ≤30m=%5.1f%%\n\n", s.Name+" noisy (all variants)", n, 100*frac(within, n))
	}
	return nil
}
