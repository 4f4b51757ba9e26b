package api

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limits are request rate limits. A rate of 0 turns that limit off; the zero value limits
// nothing. Requests with a known token count against the token, every other request against
// its client address (as gin's ClientIP sees it: the peer, or X-Forwarded-For from a trusted
// proxy).
type Limits struct {
	TokenRPS     float64 // requests per second per token
	TokenBurst   int     // requests at once above the rate; 0: the rate rounded up
	AddressRPS   float64 // requests per second per client address
	AddressBurst int     // as TokenBurst
}

// limiterSet is a token bucket per key (a token name or an address), made on first use. Buckets
// idle long enough to have refilled are dropped, since a fresh one is the same, so the set stays
// as small as the clients active in the last minutes.
type limiterSet struct {
	limit  rate.Limit
	burst  int
	refill time.Duration // time an empty bucket takes to fill: idle longer, and it can go

	mu        sync.Mutex
	m         map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// newLimiterSet returns the buckets for rps requests per second, or nil (no limit) for 0.
func newLimiterSet(rps float64, burst int) *limiterSet {
	if rps <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = int(math.Ceil(rps))
	}
	return &limiterSet{limit: rate.Limit(rps), burst: burst, m: map[string]*bucket{},
		refill: time.Duration(float64(burst) / rps * float64(time.Second))}
}

// take takes one request from key's bucket at now. It returns 0 when the request may go, or
// how long until it could.
func (l *limiterSet) take(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, b := range l.m {
			if now.Sub(b.last) > l.refill {
				delete(l.m, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.m[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.m[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request uses nothing up
		return d
	}
	return 0
}

// rateLimit enforces the limits on routes that are not Public (health probes are never
// limited). It runs after auth, so a known token is counted as itself wherever it comes from.
func (s *Server) rateLimit(acc Access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if acc.Public || (s.byToken == nil && s.byAddress == nil) {
			c.Next()
			return
		}
		now := time.Now()
		var wait time.Duration
		var by, who string
		if v, ok := c.Get(ctxToken); ok {
			if s.byToken != nil {
				by, who = "token", v.(TokenHash).Name
				wait = s.byToken.take(who, now)
			}
		} else if s.byAddress != nil {
			by, who = "address", c.ClientIP()
			wait = s.byAddress.take(who, now)
		}
		if wait > 0 {
			s.metrics.rateLimited.WithLabelValues(by).Inc()
			c.Header("Retry-After", retryAfter(wait))
			field := "Authorization"
			if by == "address" {
				field = ""
			}
			Fail(c, field, &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Field: field,
				Message: fmt.Sprintf("too many requests from %s %s; retry in %s", by, who, wait.Round(time.Millisecond))})
			return
		}
		c.Next()
	}
}
