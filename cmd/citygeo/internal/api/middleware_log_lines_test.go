package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
)

// slogString is s as slog.JSONHandler writes a string attribute.
func slogString(t testing.TB, s string) string {
	var b bytes.Buffer
	_ = slog.NewJSONHandler(&b, nil).Handle(context.Background(), func() slog.Record {
		r := slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0)
		r.AddAttrs(slog.String("k", s))
		return r
	}())
	out := b.String()
	const pre, suf = `{"level":"INFO","msg":"","k":`, "}\n"
	if !strings.HasPrefix(out, pre) || !strings.HasSuffix(out, suf) {
		t.Fatalf("slog wrote %q", out)
	}
	return out[len(pre) : len(out)-len(suf)]
}

// FuzzAppendLogString: AppendLogString writes every string as slog's JSON handler does.
func FuzzAppendLogString(f *testing.F) {
	for _, s := range []string{"", "/v1/locate", `a"b\c`, "<a href='x'>&</a>", "\x00\x01\b\f\n\r\t\x1f\x7f",
		"福田\u2028\u2029", "\xff\xfe bad", "罗湖区\xe4\xb8", "é\u00a0\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(api.AppendLogString(nil, s)), slogString(t, s); got != want {
			t.Errorf("AppendLogString(%q) = %s, slog writes %s", s, got, want)
		}
	})
}

// TestAccessLineMatchesSlog: the access lines a server writes through NewJSONLog (appended
// whole) are the lines the same requests give through slog's own JSON handler, byte for byte
// but the time and the duration: a locate, an anonymous 404 on a path needing escapes, a
// refused token (401), a bad parameter (400, with the error's code and message), a token
// named in the line; under a logger With a city key, as serve has one per city.
func TestAccessLineMatchesSlog(t *testing.T) {
	var viaSlog, whole bytes.Buffer
	read, readHash, _ := api.NewToken()
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "desk \"7\"", Role: api.RoleReader, SHA256: readHash}}})
	if err != nil {
		t.Fatal(err)
	}
	a, ds := newOpsServer(t, api.Options{AccessLog: true, Auth: auth, Logger: slog.New(slog.NewJSONHandler(&viaSlog, nil)).With("city", "330106")})
	b, _ := newOpsServer(t, api.Options{AccessLog: true, Auth: auth, Logger: slog.New(api.NewJSONLog(&whole, nil)).With("city", "330106")})
	if api.WritesLinesWhole(a) || !api.WritesLinesWhole(b) {
		t.Fatalf("lines written whole: slog server %v, NewJSONLog server %v", api.WritesLinesWhole(a), api.WritesLinesWhole(b))
	}
	c := interior(ds.Grids[0])
	for _, r := range []struct{ url, token string }{
		{"/v1/locate?lng=" + ftoa(c[0]) + "&lat=" + ftoa(c[1]) + "&crs=cgcs2000", ""},
		{"/v1/locate?lng=" + ftoa(c[0]) + "&lat=" + ftoa(c[1]) + "&crs=cgcs2000", read},
		{"/no/%22such%22/%E7%A6%8F%E7%94%B0%E2%80%A8%01", ""},
		{"/v1/locate?lng=1", "not-a-token"},
		{"/v1/locate?lng=500&lat=22", read},
	} {
		hdr := map[string]string{"X-Request-Id": "fixed-id-1"}
		if r.token != "" {
			hdr["Authorization"] = "Bearer " + r.token
		}
		send(a.Handler(), "GET", r.url, hdr, "")
		send(b.Handler(), "GET", r.url, hdr, "")
	}
	mask := regexp.MustCompile(`"time":"[^"]*"|"ms":[-+.e0-9]+`)
	got := mask.ReplaceAllString(whole.String(), "…")
	want := mask.ReplaceAllString(viaSlog.String(), "…")
	if got != want || strings.Count(got, "\n") != 5 {
		t.Errorf("lines written whole:\n%s\nthrough slog:\n%s", got, want)
	}
	for _, must := range []string{`"token":"desk \"7\""`, `"error":"bad_request"`, `"status":401`, `\u0001`, `"city":"330106","request_id"`} {
		if !strings.Contains(got, must) {
			t.Errorf("lines lack %s:\n%s", must, got)
		}
	}
}
