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

// HandleForTest registers r behind the same middlewares as the route table's, so benchmarks
// can weigh the stack with an empty handler.
func HandleForTest(s *Server, r Route) { s.handle(r) }
