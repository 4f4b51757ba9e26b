package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"citygeo/data"
	"citygeo/diff"
)

// handleDiff compares two stored versions: GET /v1/datasets/:version/diff/:other.
func (s *Server) handleDiff(c *gin.Context) {
	st := s.storeOr503(c)
	if st == nil {
		return
	}
	var ds [2]*data.Dataset
	for i, p := range []string{"version", "other"} {
		v, err := strconv.ParseInt(c.Param(p), 10, 64)
		if err != nil {
			Fail(c, "", BadParam(p, "%q is not a version number", c.Param(p)))
			return
		}
		ds[i], err = st.Load(c.Request.Context(), v)
		if errors.Is(err, data.ErrNoVersion) {
			Fail(c, "", NotFound(p, "no dataset version %d", v))
			return
		} else if err != nil {
			Fail(c, "", err)
			return
		}
	}
	c.JSON(http.StatusOK, diff.Datasets(ds[0], ds[1]))
}
