package export

import (
	"slices"

	"github.com/paulmach/orb"
)

// oriented returns r counter-clockwise when ccw, clockwise otherwise. A reversed ring is a
// copy, so the dataset is never changed; a ring without area counts as clockwise.
func oriented(r orb.Ring, ccw bool) orb.Ring {
	if len(r) == 0 || (r.Orientation() == orb.CCW) == ccw {
		return r
	}
	rev := slices.Clone(r)
	rev.Reverse()
	return rev
}
