package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
)

// Limits of one page of GET /v1/changes.
const (
	DefaultChangesLimit = 100
	MaxChangesLimit     = 1000
)

// ChangeJSON is one recorded change as the history and the change feed answer it: who, when,
// why, each field's old and new value, and the feature as it is after the change (absent after
// a delete), so that a poller can apply it without another request.
type ChangeJSON struct {
	data.Change
	Feature *geojson.Feature `json:"feature,omitempty"`
}

// HistoryBody is the body of GET /v1/components/{id}/history.
type HistoryBody struct {
	Layer   data.Layer   `json:"layer"`
	ID      string       `json:"id"`
	Changes []ChangeJSON `json:"changes"`
}

// ChangesBody is one page of GET /v1/changes: the changes after the cursor, oldest first, and
// the cursor to ask from next (the last one's seq; the same cursor when there were none).
type ChangesBody struct {
	After   int64        `json:"after"`
	Changes []ChangeJSON `json:"changes"`
	Next    string       `json:"next"`
	More    bool         `json:"more"` // the page was full: ask again at once
}

func changesJSON(cs []data.Change) []ChangeJSON {
	out := make([]ChangeJSON, len(cs))
	for i, c := range cs {
		out[i] = ChangeJSON{Change: c}
		if c.After != nil {
			out[i].Feature = featureJSON(c.After)
		}
		if out[i].Fields == nil {
			out[i].Fields = []data.FieldChange{}
		}
	}
	return out
}

// changeStore returns the store's change log or answers 503.
func (s *Server) changeStore(c *gin.Context) data.ChangeStore {
	st := s.storeOr503(c)
	if st == nil {
		return nil
	}
	cs, ok := st.(data.ChangeStore)
	if !ok {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "the dataset store keeps no changes"})
	}
	return cs
}

// historyRoute answers every recorded change of one feature, oldest first: components by their
// own path, the other layers by {layer}.
func (s *Server) historyRoute(fixed string) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := fixed
		if name == "" {
			name = c.Param("layer")
		}
		el, ok := editLayers[name]
		if !ok {
			Fail(c, "", NotFound("layer", "no editable layer %q: components, grids, addresses, pois or roads", name))
			return
		}
		cs := s.changeStore(c)
		if cs == nil {
			return
		}
		id := c.Param("id")
		h, err := cs.History(c.Request.Context(), el.layer, id)
		if err != nil {
			Fail(c, "", err)
			return
		}
		c.JSON(http.StatusOK, HistoryBody{Layer: el.layer, ID: id, Changes: changesJSON(h)})
	}
}

// handleChanges pages through the change log for a poller (the provincial platform): ?after=
// is a cursor (the seq of the last change seen, as next gave it) or vN, the changes version N
// does not hold; ?limit= caps the page.
func (s *Server) handleChanges(c *gin.Context) {
	limit, err := ParseInt("limit", c.Query("limit"), DefaultChangesLimit, 1, MaxChangesLimit)
	if err != nil {
		Fail(c, "", err)
		return
	}
	cs := s.changeStore(c)
	if cs == nil {
		return
	}
	after := int64(0)
	if a := c.Query("after"); a != "" {
		if v, ok := strings.CutPrefix(a, "v"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				Fail(c, "", BadParam("after", "%q: want a change cursor (a number) or a version (v12)", a))
				return
			}
			after, err = cs.VersionSeq(c.Request.Context(), n)
			if errors.Is(err, data.ErrNoVersion) {
				Fail(c, "", NotFound("after", "no dataset version %d", n))
				return
			} else if err != nil {
				Fail(c, "", err)
				return
			}
		} else if after, err = strconv.ParseInt(a, 10, 64); err != nil || after < 0 {
			Fail(c, "", BadParam("after", "%q: want a change cursor (a number) or a version (v12)", a))
			return
		}
	}
	page, err := cs.ChangesAfter(c.Request.Context(), after, limit)
	if err != nil {
		Fail(c, "", err)
		return
	}
	next := after
	if len(page) > 0 {
		next = page[len(page)-1].Seq
	}
	c.JSON(http.StatusOK, ChangesBody{After: after, Changes: changesJSON(page), Next: strconv.FormatInt(next, 10), More: len(page) == limit})
}
