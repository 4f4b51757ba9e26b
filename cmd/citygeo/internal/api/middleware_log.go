package api

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// recoverJSON turns a panic in a handler into a logged 500 with the JSON error body, so no
// panic (from a library, say) reaches a client as a dropped connection.
func (s *Server) recoverJSON() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": &Error{Code: CodeInternal, Message: "internal error"}})
				}
			}
		}()
		c.Next()
	}
}

// logRequests logs errors (4xx at debug, 5xx at error) with the handler's recorded causes.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		st := c.Writer.Status()
		switch {
		case st >= 500 && st != http.StatusServiceUnavailable:
			s.log.Error("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", st, "dur", time.Since(start), "errors", c.Errors.String())
		case st == http.StatusServiceUnavailable:
			s.log.Warn("request while not ready", "method", c.Request.Method, "path", c.Request.URL.Path)
		case st >= 400:
			s.log.Debug("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", st)
		}
	}
}
