package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

// TestBadBodiesNameTheJSONPath sends each JSON route a body with one value of the wrong type
// in its n-th item and checks the 400 names the item and field as the client wrote them and
// says what was wanted, with no word of Go.
func TestBadBodiesNameTheJSONPath(t *testing.T) {
	fs := newFieldServer(t, true)
	for _, tc := range []struct {
		name, url string
		role      api.Role
		body      string
		field     string
		message   string // a part of the message
	}{
		{"locate batch", "/v1/locate/batch", "",
			`{"points":[{"lng":114.05,"lat":22.54},{"lng":114.05,"lat":22.54},{"lng":114.05,"lat":22.54},{"lng":"114.05","lat":22.54}]}`,
			"points[3].lng", "want a JSON number"},
		{"dispatch batch", "/v1/dispatch/batch", "",
			`{"items":[{"address":"东门中路1号","class":"0101"},{"lng":114.1,"lat":"22.5","class":"0101"}]}`,
			"items[1].lat", `want a JSON number, got the string "22.5"`},
		{"dispatch batch, unknown field", "/v1/dispatch/batch", "",
			`{"items":[{"address":"东门中路1号","class":"0101"},{"address":"x","class":"0101","when":"now"}]}`,
			"items[1].when", "unknown field"},
		{"geocode batch", "/v1/geocode/batch", "",
			`{"addresses":[{"q":"东门中路1号"},{"q":"东门中路2号"},{"q":12}]}`,
			"addresses[2].q", "want a JSON string, got the number 12"},
		{"geocode batch, limit", "/v1/geocode/batch", "",
			`{"limit":2.5,"addresses":[{"q":"东门中路1号"}]}`,
			"limit", "want a whole JSON number, got the number 2.5"},
		{"nearest batch", "/v1/patrollers/nearest/batch", api.RoleDispatcher,
			`{"points":[{"lng":114.1,"lat":22.5},{"lng":114.1,"lat":true}]}`,
			"points[1].lat", "want a JSON number, got true"},
		{"event", "/v1/events", api.RoleDispatcher,
			`{"id":"E1","lng":114.1,"lat":22.5,"class":"0101","priority":"high"}`,
			"priority", `want a whole JSON number, got the string "high"`},
		{"event, department", "/v1/events", api.RoleDispatcher,
			`{"id":"E1","lng":114.1,"lat":22.5,"class":"0101","department":"城管"}`,
			"department", "want a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := fs.call(t, tc.role, "POST", tc.url, json.RawMessage(tc.body))
			e, _ := out["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if code != 400 || e["field"] != tc.field || !strings.Contains(msg, tc.message) {
				t.Fatalf("%d %v, want 400 on %s: …%s…", code, out, tc.field, tc.message)
			}
			for _, goWord := range []string{"Go ", "float64", "int", "string into", "unmarshal"} {
				if strings.Contains(msg, goWord) {
					t.Errorf("message %q speaks Go (%q)", msg, goWord)
				}
			}
		})
	}
}
