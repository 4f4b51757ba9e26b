package api_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"citygeo/cmd/citygeo/internal/api"
)

// responseChecker validates answers against the response schemas of the server's own OpenAPI
// document (JSON Schema 2020-12, as OpenAPI 3.1 uses), so a schema that says other than what
// a handler returns fails a test.
type responseChecker struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

func newResponseChecker(t testing.TB, raw []byte) *responseChecker {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("https://citygeo.invalid/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &responseChecker{doc: doc.(map[string]any), compiler: c, schemas: map[string]*jsonschema.Schema{}}
}

// check validates one answer of route rt; answers that are no JSON are only checked to be of a
// documented media type.
func (rc *responseChecker) check(rt api.Route, status int, contentType string, body []byte) error {
	path := api.OpenAPIPath(rt.Path)
	method := strings.ToLower(rt.Method)
	code := fmt.Sprint(status)
	resp, _ := dig(rc.doc, "paths", path, method, "responses", code).(map[string]any)
	if resp == nil {
		return fmt.Errorf("status %d is not documented", status)
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	content, _ := resp["content"].(map[string]any)
	key := ""
	for k := range content {
		if base, _, _ := mime.ParseMediaType(k); base == mt {
			key = k
		}
	}
	if key == "" {
		return fmt.Errorf("status %d answered %s, which the document does not list", status, mt)
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}
	ptr := "/paths/" + escapePointer(path) + "/" + method + "/responses/" + code + "/content/" + escapePointer(key) + "/schema"
	sch, ok := rc.schemas[ptr]
	if !ok {
		var err error
		if sch, err = rc.compiler.Compile("https://citygeo.invalid/openapi.json#" + (&url.URL{Fragment: ptr}).EscapedFragment()); err != nil {
			return fmt.Errorf("compile %s: %w", ptr, err)
		}
		rc.schemas[ptr] = sch
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return sch.Validate(v)
}

// dig walks nested JSON objects by key; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func escapePointer(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// TestOpenAPIServersAndSecurity: the document names the server at its public URL and both ways
// of authenticating (a static token, a single sign-on JWT) on every route that takes a token.
func TestOpenAPIServersAndSecurity(t *testing.T) {
	srv := api.New(api.Options{Logger: quietLog, PublicURL: "https://gis.example.gov.cn/citygeo/"})
	code, doc := do(t, srv.Handler(), "GET", "/v1/openapi.json", nil)
	if code != 200 {
		t.Fatal(code)
	}
	if u := dig(doc, "servers").([]any)[0].(map[string]any)["url"]; u != "https://gis.example.gov.cn/citygeo" {
		t.Errorf("servers[0].url = %v, want the public URL", u)
	}
	for _, scheme := range []string{"bearer", "sso"} {
		if dig(doc, "components", "securitySchemes", scheme) == nil {
			t.Errorf("no security scheme %s", scheme)
		}
	}
	for _, r := range srv.Routes() {
		sec, _ := dig(doc, "paths", api.OpenAPIPath(r.Path), strings.ToLower(r.Method), "security").([]any)
		names := map[string]bool{}
		for _, req := range sec {
			for k := range req.(map[string]any) {
				names[k] = true
			}
		}
		if !r.Access.Public && (!names["bearer"] || !names["sso"]) {
			t.Errorf("%s %s: security %v, want bearer and sso", r.Method, r.Path, sec)
		}
	}
}
