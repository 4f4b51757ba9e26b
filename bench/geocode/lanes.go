package main

import (
	"hash/fnv"
	"slices"

	"citygeo/data"
	"citygeo/gazetteer"
)

// The lanes-left-out reading measures what the held-out fifth rarely reaches: a lane (巷, with
// its alleys) none of whose numbers the index holds, placed by Taiwan's numbering rule from
// where it leaves its street. The lanes are cut into laneFolds folds by a hash of their name;
// each fold's lanes (every number and entrance of them) are left out of an index of everything
// else, and their rows geocoded against it.

// laneFolds is how many indexes the reading builds per set.
const laneFolds = 5

// laneKey names the lane a row lies in ("" for a road's own number).
func laneKey(a *data.Address) string {
	if a == nil || a.Lane == "" {
		return ""
	}
	return a.Road + "|" + a.Section + "|" + a.Lane
}

// laneFold returns the fold a lane belongs to.
func laneFold(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % laneFolds)
}

// LanesOut geocodes every lane row with its whole lane left out of the index, fold by fold.
// It returns nil when the set has no lanes.
func LanesOut(s *Set) (*Report, error) {
	var rep *Report
	for f := range laneFolds {
		ds := s.Base
		ds.Addresses = nil
		var rows []Row
		for _, a := range s.Entrances {
			if k := laneKey(a); k == "" || laneFold(k) != f {
				ds.Addresses = append(ds.Addresses, a)
			}
		}
		for _, r := range s.Rows {
			if k := laneKey(r.Addr); k != "" && laneFold(k) == f {
				rows = append(rows, r)
				continue
			}
			if r.Addr != nil {
				ds.Addresses = append(ds.Addresses, r.Addr)
			}
		}
		if len(rows) == 0 {
			continue
		}
		ix, err := gazetteer.New(&ds, gazetteer.Options{})
		if err != nil {
			return nil, err
		}
		part := Evaluate(s.Name+" lanes left out", ix, rows, nil)
		if rep == nil {
			rep = part
		} else {
			rep.merge(part)
		}
	}
	return rep, nil
}

// merge adds the tallies and results of x to r.
func (r *Report) merge(x *Report) {
	r.N += x.N
	for i := range r.Within {
		r.Within[i] += x.Within[i]
	}
	r.Exact += x.Exact
	r.Found += x.Found
	r.Dishonest += x.Dishonest
	for l, n := range x.ByLevel {
		r.ByLevel[l] += n
	}
	for k, c := range x.Cells {
		if r.Cells[k] == nil {
			r.Cells[k] = &Cell{}
		}
		r.Cells[k].add(c)
	}
	r.Results = slices.Concat(r.Results, x.Results)
}
