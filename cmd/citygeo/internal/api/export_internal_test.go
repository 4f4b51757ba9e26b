package api

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
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

// DataJSONForTest is dataJSON, for comparing it with gin's c.Data.
func DataJSONForTest(c *gin.Context, body []byte) { dataJSON(c, body) }

// WritesLinesWhole reports whether s writes its access lines through a LineHandler.
func WritesLinesWhole(s *Server) bool { return s.lines != nil }
