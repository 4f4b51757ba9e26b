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
		var params []string
		for _, p := range c.Params {
			params = append(params, p.Key+"="+p.Value)
		}
		e.Target = strings.Join(params, " ")
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
