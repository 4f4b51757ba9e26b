package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/field"
)

// alertPing is how often an idle alert stream sends a comment, so proxies and browsers keep
// the connection open and a dead client is noticed.
const alertPing = 15 * time.Second

// fences returns the geofence watcher or answers 503.
func (s *Server) fences(c *gin.Context) *field.Fences {
	if s.fenceWatch == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "geofences are not enabled on this server"})
	}
	return s.fenceWatch
}

// parseSince reads the last alert a client has: ?since=N, or the Last-Event-ID header an
// EventSource sends when it reconnects.
func parseSince(c *gin.Context) (uint64, error) {
	v := c.Query("since")
	if v == "" {
		v = c.GetHeader("Last-Event-ID")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, BadParam("since", "%q: want an alert sequence number", v)
	}
	return n, nil
}

// handleAlerts lists the alerts kept, after ?since=N.
func (s *Server) handleAlerts(c *gin.Context) {
	since, err := parseSince(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	fs := s.fences(c)
	if fs == nil {
		return
	}
	alerts := fs.Since(since)
	if alerts == nil {
		alerts = []field.Alert{} // an empty list, as documented, not null
	}
	c.JSON(http.StatusOK, gin.H{"alerts": alerts})
}

// handleAlertStream streams alerts as server-sent events (event "alert", id = sequence number):
// first those after since (or Last-Event-ID), then each as it is raised, flushed at once.
func (s *Server) handleAlertStream(c *gin.Context) {
	since, err := parseSince(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	fs := s.fences(c)
	if fs == nil {
		return
	}
	// Subscribe before reading the backlog so nothing raised in between is missed; what both
	// deliver is sent once, by sequence number.
	ch, stop := fs.Subscribe()
	defer stop()
	feed := s.liveFeedMetrics("alerts")
	defer feed.Subscribed()()
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	last := since
	// The server's write timeout would cut a stream that outlives it: each write gets its own
	// deadline instead, as the events stream's do.
	rc := http.NewResponseController(c.Writer)
	send := func(a field.Alert) bool {
		if a.Seq <= last {
			return true
		}
		last = a.Seq
		_ = rc.SetWriteDeadline(time.Now().Add(eventStreamWrite)) // unsupported by a test recorder: fine
		b, _ := json.Marshal(a)
		_, err := fmt.Fprintf(c.Writer, "id: %d\nevent: alert\ndata: %s\n\n", a.Seq, b)
		return err == nil
	}
	for _, a := range fs.Since(since) {
		fresh := a.Seq > last
		if !send(a) {
			return
		}
		if fresh {
			feed.Replayed()
		}
	}
	c.Writer.Flush()
	ping := time.NewTicker(alertPing)
	defer ping.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case a := <-ch:
			fresh := a.Seq > last
			if !send(a) {
				return
			}
			if fresh {
				feed.Sent(a.Time)
			}
		case <-ping.C:
			_ = rc.SetWriteDeadline(time.Now().Add(eventStreamWrite))
			if _, err := fmt.Fprint(c.Writer, ": ping\n\n"); err != nil {
				return
			}
		}
		c.Writer.Flush()
	}
}
