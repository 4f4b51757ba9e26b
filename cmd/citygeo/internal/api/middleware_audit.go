package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"citygeo/cmd/citygeo/internal/audit"
)

// Context keys handlers set for the audit entry of their write.
const (
	ctxAuditVersion = "citygeo.audit.version" // int64: the dataset version made or served
	ctxAuditTarget  = "citygeo.audit.target"  // string: what the write was done to
)

// auditStart runs right before a write's handler, once auth, the rate limit and the area guard
// let it through: it writes the write's started entry (audit.Log.Begin), and refuses the write
// (503, nothing changed) when the log cannot take it, so that no write is answered without its
// entry. auditWrites then writes the result under the same request id.
func (s *Server) auditStart(r Route) gin.HandlerFunc {
	if s.audit == nil || r.Access.Role == "" || r.Method == http.MethodGet {
		return nil
	}
	action := r.Method + " " + r.Path
	return func(c *gin.Context) {
		e := audit.Entry{Action: action, City: s.cityKey, RequestID: requestIDOf(c), Remote: c.ClientIP(), Target: paramsOf(c)}
		if v, ok := c.Get(ctxToken); ok {
			t := v.(TokenHash)
			e.Who, e.Role = t.Name, string(t.Role)
		}
		if err := s.audit.Begin(e); err != nil {
			s.log.Error("audit entry not written: write refused", "request_id", e.RequestID, "action", action, "err", err)
			Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the audit log cannot be written; nothing changed"})
			return
		}
		c.Next()
	}
}

// paramsOf returns a request's route parameters as key=value, space-separated.
func paramsOf(c *gin.Context) string {
	var params []string
	for _, p := range c.Params {
		params = append(params, p.Key+"="+p.Value)
	}
	return strings.Join(params, " ")
}

// auditWrites records every attempt at a write route — refused ones too, so that a token
// probing for writes shows — in the audit log, once it is answered: who (token name and role),
// what (the route and its parameters, or the target the handler names), the version it made
// and the result. Listing routes that need a role but change nothing (GET) are not audited.
// The entry is synced to disk before the next request on the connection is read.
func (s *Server) auditWrites(r Route) gin.HandlerFunc {
	if s.audit == nil || r.Access.Role == "" || r.Method == http.MethodGet {
		return nil
	}
	action := r.Method + " " + r.Path
	return func(c *gin.Context) {
		c.Next()
		st := c.Writer.Status()
		e := audit.Entry{Action: action, City: s.cityKey, Status: st, Result: audit.ResultOf(st),
			RequestID: requestIDOf(c), Remote: c.ClientIP()}
		if v, ok := c.Get(ctxToken); ok {
			t := v.(TokenHash)
			e.Who, e.Role = t.Name, string(t.Role)
		}
		e.Target = paramsOf(c)
		if t := c.GetString(ctxAuditTarget); t != "" {
			e.Target = t
		}
		if v, ok := c.Get(ctxAuditVersion); ok {
			e.Version = v.(int64)
		}
		if v, ok := c.Get(ctxError); ok {
			e.Message = v.(*Error).Message
		}
		if err := s.audit.Write(e); err != nil {
			s.log.Error("audit entry not written", "request_id", e.RequestID, "action", action, "err", err)
		}
	}
}
