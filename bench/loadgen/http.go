package loadgen

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// HTTP sends requests over keep-alive HTTP/1.1 connections to one host. It is fasthttp's client
// rather than net/http's because a generator pinned to one core must outrun the server on the
// other: net/http's client spends several times the CPU per request (allocations, goroutine
// per connection), so it, not an empty handler, would be what the figures measured.
type HTTP struct {
	client *fasthttp.HostClient
	header [2]string
}

// NewHTTP returns a client for base (scheme and host, e.g. http://127.0.0.1:8080) with at most
// conns connections. header, when not empty, is sent with every request ("Name: value").
func NewHTTP(base string, conns int, header string) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	h := &HTTP{client: &fasthttp.HostClient{Addr: u.Host, MaxConns: conns, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, MaxConnWaitTimeout: 10 * time.Second, DisablePathNormalizing: true}}
	if k, v, ok := strings.Cut(header, ":"); ok {
		h.header = [2]string{strings.TrimSpace(k), strings.TrimSpace(v)}
	}
	return h, nil
}

// GET cycles through paths (each a request URI: path and query), request seq taking
// paths[seq % len(paths)], so the workers together visit every path once per cycle.
func (h *HTTP) GET(paths []string) Do {
	return func(ctx context.Context, seq int) error {
		return h.do(ctx, fasthttp.MethodGet, paths[seq%len(paths)], "", nil)
	}
}

// POST cycles through bodies as GET does through paths, every one sent to path.
func (h *HTTP) POST(path, contentType string, bodies [][]byte) Do {
	return func(ctx context.Context, seq int) error {
		return h.do(ctx, fasthttp.MethodPost, path, contentType, bodies[seq%len(bodies)])
	}
}

// Bytes fetches one path and returns its body, for a caller that checks an answer.
func (h *HTTP) Bytes(path string) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://" + h.client.Addr + path)
	if err := h.client.Do(req, resp); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

func (h *HTTP) do(_ context.Context, method, path, contentType string, body []byte) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(path)
	req.Header.SetHost(h.client.Addr)
	if h.header[0] != "" {
		req.Header.Set(h.header[0], h.header[1])
	}
	if body != nil {
		req.Header.SetContentType(contentType)
		req.SetBodyRaw(body)
	}
	// A request once sent is answered in full (10 s at most), even past the run's end, as wrk
	// does; the run then drops it (Run).
	if err := h.client.DoTimeout(req, resp, 10*time.Second); err != nil {
		return err
	}
	if s := resp.StatusCode(); s < 200 || s > 299 {
		return &StatusError{Status: s}
	}
	return nil
}
