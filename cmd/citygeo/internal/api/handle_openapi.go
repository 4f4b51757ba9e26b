package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// openAPI describes every route of Routes(): summaries, parameters, bodies and the answers
// each handler gives. What follows from the route table itself — operation ids, security,
// the refusals an access level implies, undeclared path parameters — is filled in by
// completeOpenAPI, so the document and the table cannot disagree about it.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", s.openAPI)
}

// OpenAPIPath converts a gin route path (/v1/grids/:code) to its OpenAPI form (/v1/grids/{code}).
func OpenAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// operationID names a route's operation from its method and path: GET /v1/grids/:code →
// getGridsByCode, POST /v1/datasets/:version/activate → postDatasetsByVersionActivate.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, s := range strings.Split(path, "/") {
		if s == "" || s == "v1" {
			continue
		}
		if s[0] == ':' || s[0] == '*' {
			b.WriteString("By")
			s = s[1:]
		}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	if path == "/" {
		b.WriteString("Page")
	}
	return b.String()
}

// completeOpenAPI returns the embedded document completed from routes: each operation gets an
// operationId (unless it has one), its security from the route's access (none for public
// routes, an optional bearer token — static or single sign-on — for reads, required when the
// server guards reads, and a required one for writes), the 401/403/429 answers that access implies, and a path parameter
// entry for any {name} of its path not declared; the document gets a servers entry. An
// operation of the document with no route, or a route with no operation, is an error.
func completeOpenAPI(raw []byte, routes []Route, publicURL string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse openapi.json: %w", err)
	}
	if _, ok := doc["servers"]; !ok {
		server := map[string]any{"url": "/", "description": "this server"}
		if publicURL != "" {
			server["url"] = publicURL // public_url: where clients reach it behind a proxy
		}
		doc["servers"] = []any{server}
	}
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		return nil, fmt.Errorf("openapi.json: no components")
	}
	resps, _ := comps["responses"].(map[string]any)
	if resps == nil {
		resps = map[string]any{}
		comps["responses"] = resps
	}
	errBody := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	implied := map[string]string{
		"Unauthorized": "no bearer token, or one the server does not know (WWW-Authenticate: Bearer)",
		"Forbidden":    "the token's role may not do this",
		"RateLimited":  "over the per-token or per-address rate limit; Retry-After says when to try again",
	}
	paths, _ := doc["paths"].(map[string]any)
	seen := map[string]bool{}
	for _, r := range routes {
		p := OpenAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		op, _ := item[strings.ToLower(r.Method)].(map[string]any)
		if op == nil {
			return nil, fmt.Errorf("openapi.json: route %s %s has no operation", r.Method, p)
		}
		seen[r.Method+" "+p] = true
		if _, ok := op["operationId"]; !ok {
			op["operationId"] = operationID(r.Method, r.Path)
		}
		responses, _ := op["responses"].(map[string]any)
		if responses == nil {
			responses = map[string]any{}
			op["responses"] = responses
		}
		add := func(code, ref string) {
			if _, ok := responses[code]; ok {
				return
			}
			responses[code] = map[string]any{"$ref": "#/components/responses/" + ref}
			if _, ok := resps[ref]; !ok {
				resps[ref] = map[string]any{"description": implied[ref], "content": errBody}
			}
		}
		switch {
		case r.Access.Public:
			op["security"] = []any{}
		case r.Access.Role == "":
			op["security"] = []any{map[string]any{}, map[string]any{"bearer": []any{}}, map[string]any{"sso": []any{}}}
			add("401", "Unauthorized")
			add("429", "RateLimited")
		default:
			op["security"] = []any{map[string]any{"bearer": []any{}}, map[string]any{"sso": []any{}}}
			add("401", "Unauthorized")
			add("403", "Forbidden")
			add("429", "RateLimited")
		}
		declarePathParams(op, p)
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "post", "put", "patch", "delete", "head", "options":
				if !seen[strings.ToUpper(m)+" "+p] {
					return nil, fmt.Errorf("openapi.json: %s %s names no route", strings.ToUpper(m), p)
				}
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// declarePathParams adds a string path parameter for each {name} of path the operation does
// not declare (a $ref parameter counts as declared only by its name in the path's own list).
func declarePathParams(op map[string]any, path string) {
	params, _ := op["parameters"].([]any)
	declared := map[string]bool{}
	for _, p := range params {
		if m, ok := p.(map[string]any); ok && m["in"] == "path" {
			declared[fmt.Sprint(m["name"])] = true
		}
	}
	for _, s := range strings.Split(path, "/") {
		if strings.HasPrefix(s, "{") && !declared[s[1:len(s)-1]] {
			params = append(params, map[string]any{"name": s[1 : len(s)-1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
}
