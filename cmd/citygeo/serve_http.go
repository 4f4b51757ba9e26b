package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"citygeo/cmd/citygeo/internal/config"
)

// httpServer returns the http.Server for h with cfg's timeouts. Read and write timeouts bound
// every request (a client sending a body one byte at a time is cut off after read_timeout);
// uploads lift them for themselves (api.Options.UploadTimeout).
func httpServer(cfg config.HTTP, h http.Handler, tr *connTracker) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnState:         tr.track,
	}
}

// connTracker follows the server's connections, so that a drain knows when no request is
// arriving or being answered. http.Server.Shutdown alone is not enough: it closes at once every
// connection it sees as idle, including kept-alive ones whose next request has been sent but not
// yet read, and those clients get an empty reply.
type connTracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]connState
	changed time.Time // last state change of any connection
}

type connState struct {
	state http.ConnState
	since time.Time
}

func newConnTracker() *connTracker { return &connTracker{conns: map[net.Conn]connState{}} }

func (t *connTracker) track(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.changed = now
	if s == http.StateClosed || s == http.StateHijacked {
		delete(t.conns, c)
		return
	}
	t.conns[c] = connState{s, now}
}

// newConnGrace is how long a new connection that has sent no request yet counts as busy: a
// client connecting now is about to send one, but one that connected and sent nothing for
// this long (a browser's preconnect) is not "a request already sent".
const newConnGrace = 2 * time.Second

// busy returns the connections reading or answering a request (or just opened), and when any
// connection last changed state.
func (t *connTracker) busy(now time.Time) (n int, changed time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, cs := range t.conns {
		if cs.state == http.StateActive || (cs.state == http.StateNew && now.Sub(cs.since) < newConnGrace) {
			n++
		}
	}
	return n, t.changed
}

// drainOptions bound a graceful shutdown.
type drainOptions struct {
	Timeout time.Duration // the whole drain; then the remaining connections are cut
	Delay   time.Duration // keep accepting this long after readiness turns 503
	Quiet   time.Duration // no connection busy and none changing state for this long: drained
}

// runHTTP serves ln until ctx ends, then drains: draining() is called at once (readiness turns
// 503 and every answer says Connection: close), the listener keeps accepting for Delay so that
// load balancers notice, then for as long as requests keep arriving or being answered, and once
// all is quiet for Quiet the server shuts down, closing the idle connections. Timeout bounds the
// whole drain; what is still open then is cut, and the log says how many.
func runHTTP(ctx context.Context, hs *http.Server, ln net.Listener, tr *connTracker, opts drainOptions, draining func(), log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	start := time.Now()
	deadline := start.Add(opts.Timeout)
	draining()
	n, _ := tr.busy(start)
	log.Info("draining: /readyz answers 503; answering the requests already sent", "in_flight", n,
		"drain_timeout", opts.Timeout, "shutdown_delay", opts.Delay)
	if opts.Quiet <= 0 {
		opts.Quiet = 200 * time.Millisecond
	}
	time.Sleep(min(opts.Delay, time.Until(deadline)))
	tick := time.NewTicker(opts.Quiet / 4)
	defer tick.Stop()
	for now := time.Now(); now.Before(deadline); now = <-tick.C {
		if n, changed := tr.busy(now); n == 0 && now.Sub(changed) >= opts.Quiet {
			break
		}
	}
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		n, _ := tr.busy(time.Now())
		_ = hs.Close()
		log.Warn("drain timeout: connections still answering were cut", "cut", n, "drain_timeout", opts.Timeout)
		return nil
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("drained: every request already sent was answered", "took", time.Since(start).Round(time.Millisecond))
	return nil
}
