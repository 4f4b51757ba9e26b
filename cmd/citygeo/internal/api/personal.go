package api

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/gazetteer"
	"citygeo/ogc"
)

// Personal data. A person's phone is shown only to the roles that call people: dispatcher
// (派遣 desks ring the 监督员 and crews) and admin. Readers, GIS staff and requests without a
// token see everything else — names, posts, units, handset ids — but no phone. The domain
// packages never fill a phone into an answer; this file adds it, so a route that forgets to ask
// shows none. Free text that people type (an event's address, description and notes, where a
// reporter leaves a callback number) is shown to the others with its phone numbers masked.

// phoneRoles are the roles that see phones.
var phoneRoles = map[Role]bool{RoleDispatcher: true, RoleAdmin: true}

// roleOf returns the role of the request's bearer token, "" without a known one.
func (a *Auth) roleOf(c *gin.Context) Role {
	if v, ok := c.Get(ctxToken); ok { // identified by Require already
		return v.(TokenHash).Role
	}
	t, present, err := a.identify(c.Request)
	if !present || err != nil {
		return ""
	}
	return t.Role
}

// seesPhones reports whether the caller may see people's phones.
func (s *Server) seesPhones(c *gin.Context) bool { return phoneRoles[s.auth.roleOf(c)] }

// personal returns the answers with phones filled in when the caller may see them; for the
// others, a handset id that is a phone number (a SIM's, as JT/T 808 terminals are known) is
// masked as free text is. Answers share their PersonRef values, so each one is copied before it
// is changed.
func (s *Server) personal(c *gin.Context, ix *duty.Index, people []data.OnDuty) []data.OnDuty {
	if len(people) == 0 {
		return people
	}
	phones := s.seesPhones(c)
	shown := func(r *data.PersonRef) *data.PersonRef { // as this caller may see it
		if r == nil {
			return nil
		}
		if !phones {
			if m := gazetteer.MaskPhones(r.Device); m != r.Device {
				cp := *r
				cp.Device = m
				return &cp
			}
			return r
		}
		p := ix.Person(r.ID)
		if p == nil || p.Phone == "" {
			return r
		}
		cp := *r
		cp.Phone = p.Phone
		return &cp
	}
	for i := range people {
		od := &people[i]
		od.Person = shown(od.Person)
		if od.Delegation != nil {
			d := *od.Delegation
			d.From = shown(d.From)
			od.Delegation = &d
		}
	}
	return people
}

// PublicEvent returns e as callers who may not see phones see it: the phone numbers in its free
// text (address, description, the notes of its history) masked but for their last four digits
// (gazetteer.MaskPhones), and a single sign-on user who wrote a step named by the account kind
// only ("sso", not "sso:username"). e and its history are not changed.
func PublicEvent(e data.Event) data.Event {
	e.Address, e.Description = gazetteer.MaskPhones(e.Address), gazetteer.MaskPhones(e.Description)
	if len(e.History) > 0 {
		h := make([]data.EventStep, len(e.History))
		for i, st := range e.History {
			st.Note = gazetteer.MaskPhones(st.Note)
			if kind, _, ok := strings.Cut(st.By, ":"); ok && kind == ssoTokenKind {
				st.By = kind
			}
			h[i] = st
		}
		e.History = h
	}
	return e
}

// maskedEvents is an events feed as callers who may not see phones see it (PublicEvent): the
// OGC API's events collection, whose catalog all callers share.
type maskedEvents struct{ feed ogc.EventSource }

func (m maskedEvents) OpenIn(b orb.Bound, iter func(e data.Event) bool) {
	m.feed.OpenIn(b, func(e data.Event) bool { return iter(PublicEvent(e)) })
}
