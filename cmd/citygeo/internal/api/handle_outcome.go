package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/data"
)

// checkOutcome refuses an outcome that is unknown or given on an event that is not being closed,
// before anything is filed.
func checkOutcome(outcome string, status data.EventStatus) error {
	if outcome == "" {
		return nil
	}
	if _, err := city.ParseOutcome(outcome); err != nil {
		return BadParam("outcome", "%v", err)
	}
	if status != data.EventClosed {
		return BadParam("outcome", "an outcome is given when closing an event (status closed)")
	}
	return nil
}

// caseOutcome gives the component a just-closed event is bound to the status of its outcome
// (city.CaseOutcome), unless the deployment turned that off (Options.CaseOutcomes). The event is
// filed whatever happens here: a component that cannot be changed now is said in the
// X-Component-Change header and the log, not by failing the event.
func (s *Server) caseOutcome(c *gin.Context, ev *data.Event, outcome string) {
	if !s.caseOutcomes || outcome == "" || ev.Status != data.EventClosed {
		return
	}
	res, err := s.city.CaseOutcome(c.Request.Context(), ev, outcome, whoOf(c))
	switch {
	case err != nil:
		s.log.Warn("case outcome: component status not changed", "event", ev.ID, "component", ev.Component, "err", err)
		c.Header("X-Component-Change", "failed: "+err.Error())
	case res != nil:
		c.Header("X-Component-Change", strconv.FormatInt(res.Change.Seq, 10))
	}
}
