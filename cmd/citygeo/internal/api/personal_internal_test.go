package api

import (
	"testing"

	"citygeo/data"
)

// TestPublicEvent checks what callers who may not see phones see of an event: phone numbers in
// its address, description and notes masked, a single sign-on user named by the account kind
// only, a static token's name kept, and the feed's own event and history left as they were.
func TestPublicEvent(t *testing.T) {
	e := data.Event{ID: "E1", Address: "建设路18号 13912345678", Description: "回电0755-82288899",
		History: []data.EventStep{{By: "sso:zhangsan", Note: "已联系 13912345678"}, {By: "desk", Note: "派遣"}}}
	p := PublicEvent(e)
	for _, c := range []struct{ field, got, want string }{
		{"address", p.Address, "建设路18号 *******5678"},
		{"description", p.Description, "回电****-****8899"},
		{"history[0].by", p.History[0].By, "sso"},
		{"history[0].note", p.History[0].Note, "已联系 *******5678"},
		{"history[1].by", p.History[1].By, "desk"},
		{"history[1].note", p.History[1].Note, "派遣"},
		{"the feed's address", e.Address, "建设路18号 13912345678"},
		{"the feed's history", e.History[0].By + " " + e.History[0].Note, "sso:zhangsan 已联系 13912345678"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}
