package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/buildinfo"
)

// InfoBody is the body of GET /v1/info: what the snapshot serves, and which build serves it.
type InfoBody struct {
	city.Info
	Build buildinfo.Info `json:"build"`
}

func (s *Server) handleInfo(c *gin.Context) {
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	c.JSON(http.StatusOK, InfoBody{Info: snap.Info, Build: s.build})
}
