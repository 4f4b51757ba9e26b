package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) handleReadyz(c *gin.Context) {
	if s.draining.Load() {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "shutting down: answering the requests already sent"})
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "version": snap.Version()})
}
