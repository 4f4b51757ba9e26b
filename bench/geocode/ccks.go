package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"citygeo/gazetteer"
)

// The CCKS 2021 address-parsing set (train.conll: one "char BIOES-tag" per line, a blank line
// between addresses) is used to measure the rule parser only; it is CC BY-NC 4.0, so it is read
// from ../shared at run time and never copied into the project.

// span is a labelled rune range of an address.
type span struct {
	label      string
	start, end int
}

// ccksLabel maps a parse kind to the CCKS label it corresponds to ("" when none does).
func ccksLabel(k gazetteer.Kind) string {
	switch k {
	case gazetteer.KindProvince, gazetteer.KindCity, gazetteer.KindDistrict, gazetteer.KindCommunity,
		gazetteer.KindRoad, gazetteer.KindPOI, gazetteer.KindIntersection, gazetteer.KindDistance:
		return k.String()
	case gazetteer.KindStreet:
		return "town"
	case gazetteer.KindNumber:
		return "roadno"
	case gazetteer.KindBuilding:
		return "houseno"
	case gazetteer.KindUnit:
		return "cellno"
	case gazetteer.KindFloor:
		return "floorno"
	case gazetteer.KindAssist, gazetteer.KindDirection:
		return "assist"
	case gazetteer.KindGroup:
		return "village_group"
	case gazetteer.KindSubPOI:
		return "subpoi"
	case gazetteer.KindDevzone:
		return "devzone"
	case gazetteer.KindLane, gazetteer.KindAlley:
		return "road" // CCKS labels Shanghai's 000弄 as a road
	}
	return ""
}

// readCCKS returns the addresses and their gold spans.
func readCCKS(r io.Reader) ([]string, [][]span, error) {
	var texts []string
	var golds [][]span
	var text []rune
	var gold []span
	start := -1
	flush := func() {
		if len(text) > 0 {
			texts = append(texts, string(text))
			golds = append(golds, gold)
		}
		text, gold, start = nil, nil, -1
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimRight(sc.Text(), "\r")
		if l == "" {
			flush()
			continue
		}
		ch, tag, ok := strings.Cut(l, " ")
		if !ok || ch == "" {
			return nil, nil, fmt.Errorf("ccks line %d: want \"char tag\", got %q", line, l)
		}
		i := len(text)
		text = append(text, []rune(ch)[0])
		prefix, label, _ := strings.Cut(tag, "-")
		switch prefix {
		case "B":
			start = i
		case "S":
			gold = append(gold, span{label, i, i + 1})
		case "E":
			if start >= 0 {
				gold = append(gold, span{label, start, i + 1})
			}
			start = -1
		}
	}
	flush()
	return texts, golds, sc.Err()
}

// parsedSpans returns the parser's spans in raw rune offsets, labelled the CCKS way. The
// guideline labels a number by what it numbers: a road's (roadno), or a village's, compound's
// (houseno); a numbered 弄 or 巷 is a road of its own (金浦路000弄九号: road, road, roadno, as
// the set labels it three times in four).
// A name the parser took for a street without any road word (蔡家00号, 长田岸000号) is how a
// village numbers its houses: CCKS calls it a community and its number a houseno.
func parsedSpans(s string) []span {
	p := gazetteer.Parse(s)
	var out []span
	numbered := "" // the label of the street the next number belongs to
	for _, e := range p.Elements {
		l := ccksLabel(e.Kind)
		if l == "" || e.End <= e.Start {
			continue
		}
		switch e.Kind {
		case gazetteer.KindRoad:
			numbered = "road"
			if !e.Known && !gazetteer.HasRoadSuffix(e.Text) {
				l, numbered = "community", "community"
			}
		case gazetteer.KindAlley, gazetteer.KindLane:
			numbered = "road"
		case gazetteer.KindIntersection:
			if utf8.RuneCountInString(e.Text) == 1 && e.Text != "口" {
				continue // 与, 和, 跟 between two roads: the set leaves the connector unlabelled
			}
		case gazetteer.KindNumber:
			if numbered != "road" {
				l = "houseno"
			}
			numbered = ""
		case gazetteer.KindPOI, gazetteer.KindCommunity, gazetteer.KindStreet, gazetteer.KindDistrict:
			numbered = ""
		}
		out = append(out, span{l, int(p.Text.Off[e.Start]), int(p.Text.Off[e.End-1]) + 1})
	}
	return out
}

// F1 holds exact-span counts of one label.
type F1 struct{ TP, FP, FN int }

// Score returns precision, recall and F1.
func (f F1) Score() (float64, float64, float64) {
	p, r := frac(f.TP, f.TP+f.FP), frac(f.TP, f.TP+f.FN)
	if p+r == 0 {
		return p, r, 0
	}
	return p, r, 2 * p * r / (p + r)
}

// EvalCCKS parses every address of the file and scores exact spans per label.
func EvalCCKS(path string) (map[string]*F1, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	texts, golds, err := readCCKS(f)
	if err != nil {
		return nil, 0, err
	}
	scores := map[string]*F1{}
	get := func(l string) *F1 {
		if scores[l] == nil {
			scores[l] = &F1{}
		}
		return scores[l]
	}
	for i, t := range texts {
		got := parsedSpans(t)
		for _, g := range golds[i] {
			if slices.Contains(got, g) {
				get(g.label).TP++
			} else {
				get(g.label).FN++
			}
		}
		for _, s := range got {
			if !slices.Contains(golds[i], s) {
				get(s.label).FP++
			}
		}
	}
	return scores, len(texts), nil
}

// printCCKS writes the per-label and micro-averaged scores.
func printCCKS(w io.Writer, scores map[string]*F1, n int) {
	labels := make([]string, 0, len(scores))
	var all F1
	for l, f := range scores {
		labels = append(labels, l)
		all.TP, all.FP, all.FN = all.TP+f.TP, all.FP+f.FP, all.FN+f.FN
	}
	slices.Sort(labels)
	fmt.Fprintf(w, "CCKS 2021 train, rule parser, exact spans, %d addresses\n", n)
	for _, l := range labels {
		p, r, f := scores[l].Score()
		fmt.Fprintf(w, "    %-14s gold %5d  P %5.1f%%  R %5.1f%%  F1 %5.1f%%\n", l, scores[l].TP+scores[l].FN, 100*p, 100*r, 100*f)
	}
	p, r, f := all.Score()
	fmt.Fprintf(w, "    %-14s            P %5.1f%%  R %5.1f%%  F1 %5.1f%%\n", "micro", 100*p, 100*r, 100*f)
	p, r, f = AdminRoadScore(scores).Score()
	fmt.Fprintf(w, "    %-14s            P %5.1f%%  R %5.1f%%  F1 %5.1f%%\n", "admin+road+no", 100*p, 100*r, 100*f)
}

// adminRoadLabels are what a dispatcher's geocode hangs on: the admin chain, the road and its
// number.
var adminRoadLabels = []string{"prov", "city", "district", "town", "road", "roadno"}

// AdminRoadScore sums the counts of the admin, road and road-number labels.
func AdminRoadScore(scores map[string]*F1) F1 {
	var sum F1
	for _, l := range adminRoadLabels {
		if f := scores[l]; f != nil {
			sum.TP, sum.FP, sum.FN = sum.TP+f.TP, sum.FP+f.FP, sum.FN+f.FN
		}
	}
	return sum
}
