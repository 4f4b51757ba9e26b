package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) handleInfo(c *gin.Context) {
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	c.JSON(http.StatusOK, snap.Info)
}
