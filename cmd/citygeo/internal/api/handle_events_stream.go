package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/dispatch"
	"citygeo/geo"
)

// eventStreamWrite bounds each write of the events stream: a client that stops reading is
// dropped instead of holding a goroutine.
const eventStreamWrite = 30 * time.Second

// handleEventStream answers GET /v1/events/stream with server-sent events: every change of an
// event (id: its change number, event: event, data: the event as GET /v1/events/{id} has it,
// without history), from after ?after=N or the Last-Event-ID header (from now when neither),
// with a ": ping" comment every 15 s. When the changes after the resume point are no longer
// all known, an "event: reset" comes first (id: the current change number): the client reloads
// (GET /v1/events) and the stream goes on from there.
func (s *Server) handleEventStream(c *gin.Context) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	v, field := c.Query("after"), "after"
	if v == "" {
		v, field = c.GetHeader("Last-Event-ID"), "Last-Event-ID"
	}
	after := int64(-1)
	if v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			Fail(c, "", BadParam(field, "%q: want a change number (the id of an event of this stream)", v))
			return
		}
	}
	feed := s.feed(c)
	if feed == nil {
		return
	}
	// Watch before reading, so a change logged in between wakes the loop: nothing is missed,
	// and ChangesSince from the last number sent sends nothing twice.
	wake, stop := feed.Watch()
	defer stop()
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	if after < 0 {
		after = feed.Head()
	}
	s.streamEvents(c, feed, wake, after, crs)
}

// streamEvents writes the changes after last, then each batch of changes as the feed logs them,
// and a ping when idle, until the client leaves or a write fails.
func (s *Server) streamEvents(c *gin.Context, feed *dispatch.Feed, wake <-chan struct{}, last int64, crs geo.CRS) {
	rc := http.NewResponseController(c.Writer)
	w := sseWriter{w: c.Writer}
	phones := s.seesPhones(c)
	w.printf("retry: 2000\n: change %d\n\n", last)
	send := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(eventStreamWrite)) // unsupported by a test recorder: fine
		evs, head, ok := feed.ChangesSince(last)
		if !ok {
			w.printf("id: %d\nevent: reset\ndata: {\"seq\":%d}\n\n", head, head)
		}
		now, snap := time.Now(), s.city.Current()
		for i := range evs {
			w.event(evs[i].Seq, "event", eventFeature(&evs[i], crs, now, snap, false, phones))
		}
		last = head
		c.Writer.Flush()
		return w.err == nil
	}
	if !send() {
		return
	}
	ping := time.NewTicker(alertPing)
	defer ping.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-wake:
			if !send() {
				return
			}
		case <-ping.C:
			_ = rc.SetWriteDeadline(time.Now().Add(eventStreamWrite))
			w.printf(": ping\n\n")
			c.Writer.Flush()
			if w.err != nil {
				return
			}
		}
	}
}

// sseWriter writes server-sent events and keeps the first write error.
type sseWriter struct {
	w   io.Writer
	err error
}

func (s *sseWriter) printf(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}

// event writes one event whose data is v as JSON on one line.
func (s *sseWriter) event(id int64, name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	s.printf("id: %d\nevent: %s\ndata: %s\n\n", id, name, b)
}
