package api

import (
	"slices"
	"strings"
)

// PlaceWrites lists placeWrites for the external tests, sorted.
func PlaceWrites() []string {
	var out []string
	for w := range placeWrites {
		out = append(out, w)
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
