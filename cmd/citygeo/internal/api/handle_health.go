package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) handleReadyz(c *gin.Context) {
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "version": snap.Version()})
}
