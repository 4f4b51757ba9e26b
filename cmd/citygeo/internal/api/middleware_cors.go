package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// CORS says which browser origins may call the API from their pages. The zero value allows
// none: pages of other origins cannot read the answers (same-origin pages, like the wall map,
// and non-browser clients are not affected).
type CORS struct {
	Origins []string      // exact origins (https://wall.example.gov.cn, http://10.1.2.3:8080), or "*" for any
	MaxAge  time.Duration // how long a browser may cache a preflight answer; 0: the browser's default
}

// corsHeaders are the request headers a cross-origin page may send: the bearer token, a JSON
// body's type, a trace id and tile revalidation.
const corsHeaders = "Authorization, Content-Type, X-Request-Id, If-None-Match, If-Match, X-Edit-Reason, Accept, Accept-Language"

// corsExpose are the answer headers a cross-origin page may read beyond the safelisted ones.
const corsExpose = "X-Request-Id, Retry-After, ETag, WWW-Authenticate, X-Component-Change, X-Dataset-Version"

func (c CORS) allows(origin string) bool {
	return slices.Contains(c.Origins, "*") || slices.Contains(c.Origins, origin)
}

// cors answers preflights (OPTIONS with Access-Control-Request-Method) and marks answers to an
// allowed origin as readable by its pages. A preflight from an origin that is not allowed gets
// a 403 naming the setting, so an integrator sees why in the network panel rather than a bare
// CORS failure. A plain OPTIONS (no preflight) gets 204 with the route's Allow header.
func (s *Server) cors() gin.HandlerFunc {
	maxAge := ""
	if s.corsCfg.MaxAge > 0 {
		maxAge = strconv.Itoa(int(s.corsCfg.MaxAge / time.Second))
	}
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		if !s.corsCfg.allows(origin) {
			if preflight {
				Fail(c, "Origin", &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Origin",
					Message: "origin " + origin + " may not call this API from a browser; the server's cors.origins lists the origins that may"})
				return
			}
			c.Next()
			return
		}
		if slices.Contains(s.corsCfg.Origins, "*") {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if !preflight {
			h.Set("Access-Control-Expose-Headers", corsExpose)
			c.Next()
			return
		}
		// gin has set Allow to the path's methods (no route is registered for OPTIONS, so a
		// preflight always reaches the method-not-allowed branch); an unknown path has none.
		allow := h.Get("Allow")
		if allow == "" {
			c.Next() // 404 for a path that does not exist
			return
		}
		if asked := c.GetHeader("Access-Control-Request-Headers"); !corsRequestHeadersAllowed(asked) {
			Fail(c, "Access-Control-Request-Headers", BadParam("Access-Control-Request-Headers",
				"a page may send only %s; asked for %s", corsHeaders, asked))
			return
		}
		h.Set("Access-Control-Allow-Methods", allow)
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		if maxAge != "" {
			h.Set("Access-Control-Max-Age", maxAge)
		}
		c.AbortWithStatus(http.StatusNoContent)
	}
}

// corsRequestHeadersAllowed reports whether every header a preflight asks for is one a page
// may send.
func corsRequestHeadersAllowed(req string) bool {
	allowed := strings.Split(strings.ToLower(corsHeaders), ", ")
	for h := range strings.SplitSeq(strings.ToLower(req), ",") {
		if h = strings.TrimSpace(h); h != "" && !slices.Contains(allowed, h) {
			return false
		}
	}
	return true
}
