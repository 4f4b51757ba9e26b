package api_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEventPhonesMasked files an event whose address and description carry the reporter's
// callback number, as desks type them, and reads it back on every way events leave the server:
// one event, a page, the stream and the OGC API collection. Without a token (reads unguarded)
// the number is masked but for its last four digits; the dispatcher who calls back sees it.
func TestEventPhonesMasked(t *testing.T) {
	h, tok, ds := newDispatchServer(t, nil)
	p := interior(gridByCode(ds, "440303003020002"))
	code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event",
		"address": "建设路18号 联系电话13912345678", "description": "井盖破损，回电 139 1234 5678"}, tok)
	if code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	get := func(path, tok string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		r := bufio.NewReader(resp.Body) // the stream: up to its first event's data
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"E1"`) {
				return line
			}
		}
	}
	for _, path := range []string{"/v1/events/E1", "/v1/events?status=all", "/v1/events/stream?after=0", "/ogc/collections/events/items?f=json"} {
		anon := get(path, "")
		if strings.Contains(anon, "13912345678") || strings.Contains(anon, "1234 5678") {
			t.Errorf("GET %s without a token shows the reporter's phone: %s", path, anon)
		}
		// The description's; the OGC collection has no address.
		if !strings.Contains(anon, "*** **** 5678") {
			t.Errorf("GET %s without a token: the masked number is missing: %s", path, anon)
		}
		if path == "/ogc/collections/events/items?f=json" {
			continue // one catalog for every caller: masked for all
		}
		if desk := get(path, tok); !strings.Contains(desk, "13912345678") || !strings.Contains(desk, "139 1234 5678") {
			t.Errorf("GET %s as the dispatcher: the phone is missing: %s", path, desk)
		}
	}
}
