package api

import (
	"strings"
	"testing"
	"time"

	"citygeo/data"
)

// TestDecodeStrictNamesThePath checks that a body which encoding/json refuses is refused with
// the JSON path of the value at fault, as the client wrote it (indexes included), and a
// reason in JSON's words: never a Go type, never "Go struct field".
func TestDecodeStrictNamesThePath(t *testing.T) {
	type report struct {
		ID     string      `json:"id"`
		Time   time.Time   `json:"time"`
		Count  int8        `json:"count,omitempty"`
		Scheme data.Scheme `json:"scheme,omitempty"`
		Tags   []string    `json:"tags,omitempty"`
		Height float64     `json:",string"` // an option encoding/json applies per field
	}
	type nested struct {
		DispatchRequest                    // embedded: its fields are the request's
		Priority        int                `json:"priority"`
		Points          []BatchPoint       `json:"points"`
		Reports         []report           `json:"reports"`
		Props           map[string]float64 `json:"properties"`
	}
	for _, tc := range []struct {
		name, body string
		path       string // "" with reason "": no fault
		reason     string // a part of the reason
	}{
		{"valid", `{"points":[{"lng":114,"lat":22}],"reports":[{"id":"a","time":"2026-11-20T09:30:00+08:00","Height":"3.5"}],"lng":1}`, "", ""},
		{"a string for a number, third point", `{"points":[{"lng":1,"lat":2},{"lng":1,"lat":2},{"lng":"114.1","lat":2}]}`, "points[2].lng", `want a JSON number, got the string "114.1"`},
		{"a bad time", `{"reports":[{"id":"a","time":"2026-11-20T09:30:00+08:00"},{"id":"b","time":"yesterday"}]}`, "reports[1].time", `want an RFC 3339 time such as 2026-11-20T09:30:00+08:00, got the string "yesterday"`},
		{"a time as a number", `{"reports":[{"time":1700000000}]}`, "reports[0].time", "RFC 3339 time"},
		{"a fraction for an integer", `{"priority":1.5}`, "priority", "want a whole JSON number, got the number 1.5"},
		{"an integer out of range", `{"reports":[{"count":300}]}`, "reports[0].count", "the number 300 is out of range: want -128 to 127"},
		{"a float out of range", `{"points":[{"lng":1e400,"lat":2}]}`, "points[0].lng", "the number 1e400 is out of range"},
		{"an unknown field, named with its place", `{"points":[{"lng":1,"lat":2,"alt":3}]}`, "points[0].alt", "unknown field; want one of id, lng, lat"},
		{"an unknown top-level field", `{"extra":1}`, "extra", "unknown field"},
		{"a key matched without case", `{"POINTS":[{"LNG":"x"}]}`, "POINTS[0].LNG", "want a JSON number"},
		{"an embedded struct's field", `{"class":7}`, "class", "want a JSON string, got the number 7"},
		{"a type's own decoder", `{"reports":[{"scheme":"GB 2026"}]}`, "reports[0].scheme", `scheme "GB 2026": want`},
		{"a text decoder given a number", `{"reports":[{"scheme":3}]}`, "reports[0].scheme", "want a JSON string, got the number 3"},
		{"an object for an array", `{"points":{"lng":1}}`, "points", "want a JSON array, got an object"},
		{"an array element", `{"reports":[{"tags":["a",false]}]}`, "reports[0].tags[1]", "want a JSON string, got false"},
		{"a map value", `{"properties":{"height":"tall"}}`, "properties.height", `want a JSON number, got the string "tall"`},
		{"a string option", `{"reports":[{"Height":"tall"}]}`, "reports[0].Height", ""},
		{"the whole body", `[1,2]`, "", "want a JSON object, got an array"},
		{"syntax", `{"points":[{"lng":01}]}`, "", "invalid JSON at byte"},
		{"cut short", `{"points":[`, "", "invalid JSON"},
		{"empty", ` `, "", "empty body"},
		{"trailing data", `{} {}`, "", "trailing data"},
		{"a long string is cut", `{"priority":"` + strings.Repeat("长", 100) + `"}`, "priority", `got the string "` + strings.Repeat("长", 13) + `…"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v nested
			f := decodeStrict([]byte(tc.body), &v)
			if tc.path == "" && tc.reason == "" {
				if f != nil {
					t.Fatalf("fault %+v, want none", f)
				}
				return
			}
			if f == nil {
				t.Fatalf("no fault, want %s: %s", tc.path, tc.reason)
			}
			if f.Path != tc.path || !strings.Contains(f.Reason, tc.reason) {
				t.Errorf("fault %s: %s\nwant      %s: …%s…", f.Path, f.Reason, tc.path, tc.reason)
			}
			for _, goWord := range []string{"Go ", "float64", "int8", "time.Time", "struct", "unmarshal", "json:"} {
				if strings.Contains(f.Reason, goWord) {
					t.Errorf("reason %q speaks Go (%q)", f.Reason, goWord)
				}
			}
		})
	}
}
