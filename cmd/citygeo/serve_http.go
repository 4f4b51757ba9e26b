package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
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
//
// Every request moves its connection to active and back to idle, so tracking is on the hot path
// of every request: a connection's state is an atomic of its own, found in a sync.Map that
// changes only when a connection opens or closes, so requests on different connections never
// wait for each other here (a mutex here was the one contended lock of a loaded server at 64
// connections: goroutines parked on it while its holder was descheduled).
type connTracker struct {
	conns sync.Map // net.Conn → *connEntry
	// changed is when any connection last changed state (unix nanoseconds), kept once a drain
	// has begun (startDrain): nothing reads it before, and reading the clock for it on every
	// state change was two clock reads a request.
	changed  atomic.Int64
	draining atomic.Bool
}

// connEntry is one connection's state and when it opened.
type connEntry struct {
	state atomic.Int32 // http.ConnState
	since atomic.Int64 // unix nanoseconds
}

func newConnTracker() *connTracker { return &connTracker{} }

func (t *connTracker) track(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateClosed, http.StateHijacked:
		t.conns.Delete(c)
	case http.StateNew:
		e := &connEntry{}
		e.state.Store(int32(s))
		e.since.Store(time.Now().UnixNano())
		t.conns.Store(c, e)
	default:
		if v, ok := t.conns.Load(c); ok {
			v.(*connEntry).state.Store(int32(s))
		}
	}
	if t.draining.Load() {
		t.changed.Store(time.Now().UnixNano())
	}
}

// startDrain starts keeping when connections change state, from now: a drain waits for a
// quiet spell after it began, not before.
func (t *connTracker) startDrain(now time.Time) {
	t.changed.Store(now.UnixNano())
	t.draining.Store(true)
}

// newConnGrace is how long a new connection that has sent no request yet counts as busy: a
// client connecting now is about to send one, but one that connected and sent nothing for
// this long (a browser's preconnect) is not "a request already sent".
const newConnGrace = 2 * time.Second

// busy returns the connections reading or answering a request (or just opened), and when any
// connection last changed state.
func (t *connTracker) busy(now time.Time) (n int, changed time.Time) {
	t.conns.Range(func(_, v any) bool {
		e := v.(*connEntry)
		switch http.ConnState(e.state.Load()) {
		case http.StateActive:
			n++
		case http.StateNew:
			if now.Sub(time.Unix(0, e.since.Load())) < newConnGrace {
				n++
			}
		}
		return true
	})
	return n, time.Unix(0, t.changed.Load())
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
	tr.startDrain(start)
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
