package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/duty"
	"citygeo/field"
)

// The test's identity provider: an ECDSA key published through a JWKS file, and JWTs signed
// with it as a 统一登录 provider would.
const (
	testIssuer   = "https://sso.test.gov.cn"
	testAudience = "citygeo"
	ownDistrict  = "440303" // the sample city's district
	otherDistrct = "440304" // a neighbour: none of the sample city lies in it
)

type testIdP struct {
	key  *ecdsa.PrivateKey
	jwks string // path of the JWKS file
}

func newTestIdP(t testing.TB) *testIdP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "test-1", Algorithm: "ES256", Use: "sig"}}}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return &testIdP{key: key, jwks: path}
}

// oidc returns the verifier of this provider: role claim "roles", area claim "area".
func (p *testIdP) oidc(t testing.TB) *api.OIDC {
	t.Helper()
	o, err := api.NewOIDC(context.Background(), api.OIDCConfig{JWKS: p.jwks, Issuer: testIssuer, Audience: testAudience,
		ClockSkew: 30 * time.Second, AreaClaim: "area"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// sign returns a JWT for sub with role and area ("" none), expiring at exp, signed with key.
func (p *testIdP) sign(t testing.TB, key *ecdsa.PrivateKey, role api.Role, area string, exp time.Time) string {
	t.Helper()
	claims := jwt.MapClaims{"iss": testIssuer, "aud": []string{testAudience, "other-app"}, "sub": "user-" + string(role),
		"iat": exp.Add(-time.Hour).Unix(), "exp": exp.Unix(), "roles": []string{"unrelated", string(role)}}
	if area != "" {
		claims["area"] = area
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = "test-1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// credential is one way a request can present itself; refusal computes the status the auth and
// area layers must answer for a route, 0 when they must let it through.
type credential struct {
	name   string
	header string
	role   api.Role // of a valid credential
	area   string   // of a valid credential
	bad    bool     // refused as a token: 401 on every non-public route
}

func (cr credential) refusal(rt api.Route, guardReads bool) int {
	switch {
	case rt.Access.Public:
		return 0
	case cr.bad:
		return http.StatusUnauthorized
	case cr.header == "":
		if rt.Access.Role == "" && !guardReads {
			return 0
		}
		return http.StatusUnauthorized
	case rt.Access.Role != "" && cr.role != rt.Access.Role && cr.role != api.RoleAdmin:
		return http.StatusForbidden
	case cr.area == otherDistrct:
		return http.StatusForbidden // every request of the matrix names a place in ownDistrict
	}
	return 0
}

// TestRouteRoleMatrix runs every route of the route table × every role × every kind of
// credential — none, a bad token, a JWT signed by another key, an expired JWT, a JWT for another
// district, a JWT for this district, an unrestricted JWT and a static token — and asserts the
// status of each. The routes come from Server.Routes, so a route added to the table is in the
// matrix. Every request names a place in the sample's district (lng/lat in the query, a code
// in the path, a JSON body with a point), so a token of another district is refused on every
// route that is not public.
func TestRouteRoleMatrix(t *testing.T) {
	plain, ds := newSampleServer(t)
	snap := plain.Current()
	idp := newTestIdP(t)
	forger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	roles := []api.Role{api.RoleReader, api.RoleDispatcher, api.RoleGIS, api.RoleDevice, api.RoleAdmin}
	var entries []api.TokenHash
	statics := map[api.Role]string{}
	for _, r := range roles {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		statics[r] = tok
		entries = append(entries, api.TokenHash{Name: "static-" + string(r), Role: r, SHA256: hash})
	}
	now := time.Now()
	creds := []credential{{name: "none"}, {name: "bad-token", header: "Bearer not-a-token", bad: true}}
	for _, r := range roles {
		bearer := func(s string) string { return "Bearer " + s }
		creds = append(creds,
			credential{name: string(r) + "/forged-jwt", header: bearer(idp.sign(t, forger, r, "", now.Add(time.Hour))), bad: true},
			credential{name: string(r) + "/expired-jwt", header: bearer(idp.sign(t, idp.key, r, "", now.Add(-10*time.Minute))), bad: true},
			credential{name: string(r) + "/jwt-other-district", header: bearer(idp.sign(t, idp.key, r, otherDistrct, now.Add(time.Hour))), role: r, area: otherDistrct},
			credential{name: string(r) + "/jwt-own-district", header: bearer(idp.sign(t, idp.key, r, ownDistrict, now.Add(time.Hour))), role: r, area: ownDistrict},
			credential{name: string(r) + "/jwt-city", header: bearer(idp.sign(t, idp.key, r, "440300", now.Add(time.Hour))), role: r, area: "440300"},
			credential{name: string(r) + "/jwt", header: bearer(idp.sign(t, idp.key, r, "", now.Add(time.Hour))), role: r},
			credential{name: string(r) + "/static", header: bearer(statics[r]), role: r},
		)
	}

	grid, comp := ds.Grids[0], ds.Components[0]
	if !strings.HasPrefix(grid.Code, ownDistrict) || !strings.HasPrefix(comp.ID, ownDistrict) {
		t.Fatalf("the sample's first grid %s / component %s are not in %s", grid.Code, comp.ID, ownDistrict)
	}
	p := interior(grid)
	params := map[string]string{"code": grid.Code, "id": comp.ID, "featureId": comp.ID, "set": "city",
		"z": "14", "x": "13387", "y": "7141.mvt", "style": "wall.json", "collectionId": "components"}
	// A place in ownDistrict, and what the routes that take no point ask for, so that many answer
	// 200 and their bodies are checked against the document.
	query := fmt.Sprintf("?lng=%.7f&lat=%.7f&crs=cgcs2000&bbox=%.7f,%.7f,%.7f,%.7f&q=%s&address=%s&keywords=jsl&location=%.7f,%.7f&locations=%.7f,%.7f&by=street",
		p[0], p[1], p[0]-0.001, p[1]-0.001, p[0]+0.001, p[1]+0.001, url.QueryEscape("建设路18号"), url.QueryEscape("建设路18号"), p[0], p[1], p[0], p[1])
	body := fmt.Sprintf(`{"lng":%.7f,"lat":%.7f,"crs":"cgcs2000"}`, p[0], p[1])

	checked := map[string]bool{} // routes whose 2xx answer was checked against the document
	for _, guard := range []bool{true, false} {
		auth, err := api.NewAuth(&api.AuthConfig{GuardReads: guard, Tokens: entries})
		if err != nil {
			t.Fatal(err)
		}
		auth.UseOIDC(idp.oidc(t))
		opts := matrixOptions(t, snap)
		opts.Auth, opts.Logger = auth, quietLog
		srv := api.New(opts)
		srv.Swap(snap)
		h := srv.Handler()
		routes := srv.Routes()
		doc := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/v1/openapi.json", nil)
		req.Header.Set("Authorization", "Bearer "+statics[api.RoleReader])
		h.ServeHTTP(doc, req)
		checker := newResponseChecker(t, doc.Body.Bytes())
		for _, rt := range routes {
			path := fillPath(rt.Path, params)
			for _, cr := range creds {
				if !guard && cr.header != "" {
					continue // open reads change only what no token gets
				}
				want := cr.refusal(rt, guard)
				t.Run(fmt.Sprintf("guard=%v/%s %s/%s", guard, rt.Method, rt.Path, cr.name), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond) // streams end here
					defer cancel()
					req := httptest.NewRequestWithContext(ctx, rt.Method, path+query, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if cr.header != "" {
						req.Header.Set("Authorization", cr.header)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					got, errBody := answeredStatus(rt.Path, rec), `"code":"`
					if strings.HasPrefix(rt.Path, "/v3/") {
						errBody = `"infocode":"`
					}
					if want != 0 {
						if got != want {
							t.Fatalf("status %d, want %d: %s", got, want, rec.Body)
						}
						if !strings.Contains(rec.Body.String(), errBody) {
							t.Errorf("refusal without an error body: %s", rec.Body)
						}
						return
					}
					if got == http.StatusUnauthorized || got == http.StatusForbidden {
						t.Fatalf("status %d, want the route's own answer: %s", got, rec.Body)
					}
					if cr.name == "admin/jwt" && got >= 200 && got < 300 && got != http.StatusNoContent {
						if err := checker.check(rt, got, rec.Header().Get("Content-Type"), rec.Body.Bytes()); err != nil {
							t.Errorf("the answer does not match openapi.json: %v\n%.300s", err, rec.Body)
						}
						checked[rt.Method+" "+rt.Path] = true
					}
				})
			}
		}
	}
	// Most routes answer 200 to the matrix's request; each of those answers matched its schema.
	if len(checked) < 25 {
		t.Errorf("only %d routes answered 2xx to be checked against openapi.json: %v", len(checked), checked)
	}
	t.Logf("%d routes' answers checked against openapi.json", len(checked))
}

// matrixOptions gives the matrix server everything a route can need, so that routes answer
// from data rather than 503: the sample rules and an events feed, the sample duty lists, a field
// force in memory and a geofence watcher.
func matrixOptions(t *testing.T, snap *city.Snapshot) api.Options {
	t.Helper()
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	dispatch.FillDepartmentCodes(rules, snap.Dataset.Departments)
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	force, err := field.Open(context.Background(), &field.MemTracks{}, field.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { force.Close() })
	fences, err := field.NewFences(field.FenceOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fences.Watch(force)
	board := duty.NewBoard(duty.NewRoster(sample.Roster(snap.Dataset, sample.RosterOptions{})), duty.Options{})
	return api.Options{Dispatch: &api.Dispatch{Rules: set, Feed: feed}, Field: force, Fences: fences,
		Duty: &api.Duty{Board: board, Save: func(*data.Roster) error { return nil }}}
}

// fillPath puts values into a gin path's parameters ("1" for one params does not name).
func fillPath(p string, params map[string]string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			if v, ok := params[s[1:]]; ok {
				segs[i] = v
			} else {
				segs[i] = "1"
			}
		}
	}
	return strings.Join(segs, "/")
}

// TestPlaceWritesAreRoutes keeps the area layer's list of writes about one place in step with the
// route table.
func TestPlaceWritesAreRoutes(t *testing.T) {
	srv, _ := newSampleServer(t)
	have := map[string]bool{}
	for _, r := range srv.Routes() {
		have[r.Method+" "+r.Path] = true
	}
	for _, w := range api.PlaceWrites() {
		if !have[w] {
			t.Errorf("placeWrites names %s, which is no route", w)
		}
	}
}

// TestAreaLimits checks what a limited token may touch on a city of two districts: points, codes
// and bboxes of its district, events inside it, and not the whole city's writes.
func TestAreaLimits(t *testing.T) {
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	// A second district east of the sample, so that a district token is not a city-wide one.
	two := *ds
	var own *data.Area
	for _, a := range ds.Areas {
		if a.Code == ownDistrict {
			own = a
		}
	}
	b := own.Polygon.Bound()
	w := b.Max[0] - b.Min[0]
	east := &data.Area{Code: otherDistrct, Name: "福田区", Level: data.District}
	for _, poly := range own.Polygon {
		cp := poly.Clone()
		for _, ring := range cp {
			for i := range ring {
				ring[i][0] += w + 0.01
			}
		}
		east.Polygon = append(east.Polygon, cp)
	}
	east.Label = east.Polygon.Bound().Center()
	two.Areas = append(append([]*data.Area(nil), ds.Areas...), east)
	snap, err := city.Build(&two, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idp := newTestIdP(t)
	auth, err := api.NewAuth(nil)
	if err != nil {
		t.Fatal(err)
	}
	auth.UseOIDC(idp.oidc(t))
	srv := api.New(api.Options{Auth: auth, Logger: quietLog})
	srv.Swap(snap)
	h := srv.Handler()
	exp := time.Now().Add(time.Hour)
	district := "Bearer " + idp.sign(t, idp.key, api.RoleAdmin, ownDistrict, exp)
	cityTok := "Bearer " + idp.sign(t, idp.key, api.RoleAdmin, "440300", exp)
	in := interior(ds.Grids[0])
	out := east.Label
	pt := func(path string, p [2]float64) string {
		return fmt.Sprintf("%s?lng=%.7f&lat=%.7f&crs=cgcs2000", path, p[0], p[1])
	}
	tests := []struct {
		name, method, url, body, token string
		want                           int
		field                          string
	}{
		{"point inside", "GET", pt("/v1/locate", in), "", district, 200, ""},
		{"point in the other district", "GET", pt("/v1/locate", out), "", district, 403, "lng"},
		{"point in no district", "GET", pt("/v1/locate", [2]float64{100, 30}), "", district, 403, "lng"},
		{"city token, other district", "GET", pt("/v1/locate", out), "", cityTok, 200, ""},
		{"AMap regeo outside", "GET", fmt.Sprintf("/v3/geocode/regeo?location=%.7f,%.7f&crs=cgcs2000", out[0], out[1]), "", district, 403, "location"},
		{"AMap regeo inside", "GET", fmt.Sprintf("/v3/geocode/regeo?location=%.7f,%.7f&crs=cgcs2000", in[0], in[1]), "", district, 200, ""},
		{"grid code inside", "GET", "/v1/grids/" + ds.Grids[0].Code, "", district, 200, ""},
		{"component of another district", "GET", "/v1/components/4403040118000001", "", district, 403, "id"},
		{"bbox clipped", "GET", fmt.Sprintf("/v1/components?bbox=%.6f,%.6f,%.6f,%.6f&crs=cgcs2000", b.Min[0], b.Min[1], b.Max[0]+w, b.Max[1]), "", district, 200, ""},
		{"bbox outside", "GET", fmt.Sprintf("/v1/components?bbox=%.6f,%.6f,%.6f,%.6f&crs=cgcs2000", b.Max[0]+0.02, b.Min[1], b.Max[0]+w, b.Max[1]), "", district, 403, "bbox"},
		{"batch with one point outside", "POST", "/v1/locate/batch", fmt.Sprintf(`{"crs":"cgcs2000","points":[{"lng":%.7f,"lat":%.7f},{"lng":%.7f,"lat":%.7f}]}`, in[0], in[1], out[0], out[1]), district, 403, "points[1].lng"},
		{"text/csv batch with one point outside", "POST", "/v1/locate/batch?crs=cgcs2000", fmt.Sprintf("lng,lat\n%.7f,%.7f\n%.7f,%.7f\n", in[0], in[1], out[0], out[1]), district, 403, "points[1]"},
		{"text/csv batch inside", "POST", "/v1/locate/batch?crs=cgcs2000", fmt.Sprintf("lng,lat\n%.7f,%.7f\n", in[0], in[1]), district, 200, ""},
		{"activate by a district token", "POST", "/v1/datasets/1/activate", "", district, 403, "Authorization"},
		{"activate by a city token", "POST", "/v1/datasets/1/activate", "", cityTok, 503, ""}, // no store: past the area layer
		{"event outside", "POST", "/v1/events", fmt.Sprintf(`{"id":"e1","class":"0101","lng":%.7f,"lat":%.7f,"crs":"cgcs2000"}`, out[0], out[1]), district, 403, "lng"},
		{"event with no place", "POST", "/v1/events", `{"id":"e1","class":"0101","address":"人民路1号"}`, district, 403, "Authorization"},
		{"event inside", "POST", "/v1/events", fmt.Sprintf(`{"id":"e1","class":"0101","lng":%.7f,"lat":%.7f,"crs":"cgcs2000"}`, in[0], in[1]), district, 503, ""}, // no dispatch: past the area layer
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			req.Header.Set("Authorization", tt.token)
			if tt.body != "" {
				ct := "application/json"
				if strings.HasPrefix(tt.body, csvHeaderLine) {
					ct = "text/csv"
				}
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := answeredStatus(tt.url, rec); got != tt.want {
				t.Fatalf("status %d, want %d: %s", got, tt.want, rec.Body)
			}
			named := `"field":"` + tt.field + `"`
			if strings.HasPrefix(tt.url, "/v3/") {
				named = `"detail":"` + tt.field + `: `
			}
			if tt.field != "" && !strings.Contains(rec.Body.String(), named) {
				t.Errorf("refusal does not name field %s: %s", tt.field, rec.Body)
			}
			if tt.name == "bbox clipped" && rec.Header().Get("X-Area-Clipped") != ownDistrict {
				t.Errorf("bbox not clipped: headers %v", rec.Header())
			}
		})
	}

	// Ways around the guard, each refused: a key repeated in another case (the handlers'
	// decoder takes the last, ignoring case), a body sent as another type than JSON (the
	// handlers read it as JSON), an OGC box with heights, and an update of another district's
	// stored event naming a place of the token's own.
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Put(data.Event{ID: "east1", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0101"},
		Point: orb.Point(out), District: otherDistrct, Reported: time.Now()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	withFeed := api.New(api.Options{Auth: auth, Logger: quietLog, Dispatch: &api.Dispatch{Feed: feed}})
	withFeed.Swap(snap)
	for _, tt := range []struct {
		name, method, url, ctype, body string
	}{
		{"a point's keys again in another case", "POST", "/v1/locate/batch", "application/json",
			fmt.Sprintf(`{"crs":"cgcs2000","points":[{"lng":%.7f,"lat":%.7f,"Lng":%.7f,"Lat":%.7f}]}`, in[0], in[1], out[0], out[1])},
		{"a JSON body sent as text/plain", "POST", "/v1/locate/batch", "text/plain",
			fmt.Sprintf(`{"crs":"cgcs2000","points":[{"lng":%.7f,"lat":%.7f}]}`, out[0], out[1])},
		{"an OGC box with heights", "GET", fmt.Sprintf("/ogc/collections/grids/items?bbox=%.6f,%.6f,0,%.6f,%.6f,0", out[0]-0.001, out[1]-0.001, out[0]+0.001, out[1]+0.001), "", ""},
		{"another district's event closed from inside", "POST", "/v1/events", "application/json",
			fmt.Sprintf(`{"id":"east1","status":"closed","class":"0101","lng":%.7f,"lat":%.7f,"crs":"cgcs2000"}`, in[0], in[1])},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			req.Header.Set("Authorization", district)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			rec := httptest.NewRecorder()
			withFeed.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest {
				t.Errorf("status %d, want it refused: %.300s", rec.Code, rec.Body)
			}
		})
	}
	if ev, _ := feed.Get("east1"); ev.Status == data.EventClosed || ev.District != otherDistrct {
		t.Errorf("the other district's event after the refused update: %+v", ev)
	}
}

// csvHeaderLine starts a text/csv batch body in these tables.
const csvHeaderLine = "lng,lat\n"

// TestAreaLimitsUnnamedToken checks that a static token listed without a name is limited to its
// area as a named one is: here to a district the served city does not have, so a point of the
// city is refused, as it is for the same token with a name.
func TestAreaLimitsUnnamedToken(t *testing.T) {
	plain, ds := newSampleServer(t)
	snap := plain.Current()
	p := interior(ds.Grids[0])
	for _, name := range []string{"", "named"} {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: name, Role: api.RoleReader, Area: otherDistrct, SHA256: hash}}})
		if err != nil {
			t.Fatal(err)
		}
		srv := api.New(api.Options{Auth: auth, Logger: quietLog})
		srv.Swap(snap)
		code, body := doAuth(t, srv.Handler(), "GET", fmt.Sprintf("/v1/locate?lng=%.7f&lat=%.7f&crs=cgcs2000", p[0], p[1]), nil, tok)
		if code != 403 {
			t.Errorf("token named %q limited to %s: locate in %s = %d %v, want 403", name, otherDistrct, ownDistrict, code, body)
		}
	}
}

// answeredStatus is the status a request was answered with: the HTTP code, or for the AMap
// door, which refuses with HTTP 200 as AMap does, the refusal its infocode stands for.
func answeredStatus(path string, rec *httptest.ResponseRecorder) int {
	if !strings.HasPrefix(path, "/v3/") || rec.Code != http.StatusOK {
		return rec.Code
	}
	for infocode, st := range map[string]int{"10001": http.StatusUnauthorized, "10012": http.StatusForbidden, "10004": http.StatusTooManyRequests} {
		if strings.Contains(rec.Body.String(), `"infocode":"`+infocode+`"`) {
			return st
		}
	}
	return rec.Code
}
