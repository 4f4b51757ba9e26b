// Package loadgen drives a load for a fixed time and reports throughput and latency
// percentiles. By default the loop is closed: a fixed number of workers, each sending its next
// request as soon as its previous one is answered, as wrk does; a slow server is offered less
// load, and at saturation a request's latency is mostly its wait behind the others (N
// connections at X answers/s wait N/X on average, Little's law), not the server's own tail.
// With a Rate the loop is open: requests are due at fixed times, spread over the workers, and
// each latency counts from when its request was due, so a stall delays the requests behind it
// and shows in the percentiles instead of lowering the rate (no coordinated omission, as wrk2
// measures). bench/load drives URLs from the command line through it, bench/side drives
// citygeo, PostgreSQL and Tile38 through it.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options are a run's size.
type Options struct {
	Conns    int           // concurrent workers, each with its own connection
	Duration time.Duration // how long requests are sent
	// Rate, when above 0, is the requests per second offered over all workers (open loop):
	// worker w sends requests due at start + (k·Conns + w)/Rate, up to a millisecond early. A
	// worker still waiting for an answer when its next request is due sends it late, and that
	// wait counts in its latency.
	Rate float64
}

// Do sends request seq (0, 1, 2 … across all workers, in the order they are started) and waits
// for its answer. A *StatusError counts as an answered request with a bad status; any other
// error as a failed request, whose latency is not recorded.
type Do func(ctx context.Context, seq int) error

// StatusError is an answer whose status is not a success (HTTP outside 2xx).
type StatusError struct{ Status int }

// Error names the status.
func (e *StatusError) Error() string { return fmt.Sprintf("status %d", e.Status) }

// Report is one run's result.
type Report struct {
	Requests   int64         `json:"requests"` // answered, whatever the status
	Errors     int64         `json:"errors"`   // failed without an answer
	BadStatus  int64         `json:"bad_status"`
	FirstError string        `json:"first_error,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	RPS        float64       `json:"rps"`
	P50        time.Duration `json:"p50_ns"`
	P90        time.Duration `json:"p90_ns"`
	P99        time.Duration `json:"p99_ns"`
	Max        time.Duration `json:"max_ns"`
}

// Run sends requests through do from o.Conns workers for o.Duration (or until ctx ends) and
// returns the report. Latencies are kept whole (8 bytes a request) so that the percentiles are
// exact.
func Run(ctx context.Context, o Options, do Do) Report {
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		mu       sync.Mutex
		lat      []time.Duration
		seq      atomic.Int64
		errs     atomic.Int64
		bad      atomic.Int64
		firstErr atomic.Pointer[string]
		wg       sync.WaitGroup
		start    = time.Now()
	)
	var every time.Duration // between one worker's requests, open loop
	if o.Rate > 0 {
		every = time.Duration(float64(o.Conns) / o.Rate * float64(time.Second))
	}
	for w := range o.Conns {
		wg.Go(func() {
			local := make([]time.Duration, 0, 1<<14)
			due := start.Add(time.Duration(float64(w) / float64(o.Conns) * float64(every)))
			for ctx.Err() == nil {
				t0 := time.Now()
				if every > 0 {
					// Go's timers wake up to a millisecond late here (the poller waits in
					// whole milliseconds), so a request is sent up to a millisecond early
					// rather than late: the rate holds, and a latency counts from when its
					// request was due or, sent early, from when it was sent.
					if wait := due.Sub(t0) - time.Millisecond; wait > 0 {
						select {
						case <-ctx.Done():
							continue
						case <-time.After(wait):
						}
						t0 = time.Now()
					}
					if t0.After(due) {
						t0 = due
					}
					due = due.Add(every)
				}
				i := int(seq.Add(1) - 1)
				err := do(ctx, i)
				took := time.Since(t0)
				var se *StatusError
				switch {
				case err == nil:
				case errors.As(err, &se):
					bad.Add(1)
				case ctx.Err() != nil:
					continue // cut off by the end of the run: neither answered nor failed
				default:
					errs.Add(1)
					msg := err.Error()
					firstErr.CompareAndSwap(nil, &msg)
					continue
				}
				local = append(local, took)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	r := Report{Requests: int64(len(lat)), Errors: errs.Load(), BadStatus: bad.Load(), Duration: elapsed,
		RPS: float64(len(lat)) / elapsed.Seconds(), P50: pct(0.5), P90: pct(0.9), P99: pct(0.99), Max: pct(1)}
	if m := firstErr.Load(); m != nil {
		r.FirstError = *m
	}
	return r
}
