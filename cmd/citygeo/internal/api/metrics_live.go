package api

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Live feeds (server-sent event streams: geofence alerts, events) report their subscribers and
// how far behind what they send is, per feed name, in three metrics shared by every feed.
type liveMetrics struct {
	subscribers *prometheus.GaugeVec     // feed
	lag         *prometheus.HistogramVec // feed
	sent        *prometheus.CounterVec   // feed
}

func newLiveMetrics() *liveMetrics {
	return &liveMetrics{
		subscribers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "citygeo_live_subscribers", Help: "Clients connected to a live feed now, by feed.",
		}, []string{"feed"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "citygeo_live_lag_seconds", Help: "Time from an item's own time (the fix that raised an alert, the event's update) to its write to a subscriber, by feed; replayed backlog is not counted.",
			Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"feed"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygeo_live_sent_total", Help: "Items written to live-feed subscribers, backlog included, by feed.",
		}, []string{"feed"}),
	}
}

func (m *liveMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.subscribers, m.lag, m.sent}
}

// LiveFeed is the metrics handle of one live feed; get it with liveFeedMetrics.
type LiveFeed struct {
	subscribers prometheus.Gauge
	lag         prometheus.Observer
	sent        prometheus.Counter
}

// liveFeedMetrics returns the handle of the feed called name ("alerts", "events"). A stream
// handler calls Subscribed when a client connects (and the func it returns when it leaves),
// Sent for each live item it writes and Replayed for each item of the backlog.
func (s *Server) liveFeedMetrics(name string) LiveFeed {
	m := s.metrics.live
	return LiveFeed{subscribers: m.subscribers.WithLabelValues(name), lag: m.lag.WithLabelValues(name), sent: m.sent.WithLabelValues(name)}
}

// Subscribed counts a subscriber until the returned func is called.
func (f LiveFeed) Subscribed() (left func()) {
	f.subscribers.Inc()
	return f.subscribers.Dec
}

// Sent records a live item written to a subscriber; at is the item's own time (zero: unknown).
func (f LiveFeed) Sent(at time.Time) {
	f.sent.Inc()
	if !at.IsZero() {
		f.lag.Observe(max(time.Since(at).Seconds(), 0))
	}
}

// Replayed records an item of the backlog written to a subscriber.
func (f LiveFeed) Replayed() { f.sent.Inc() }
