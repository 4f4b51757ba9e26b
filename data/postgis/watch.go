package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"citygeo/data"

	"github.com/jackc/pgx/v5"
)

// firstReconnect is the wait before the listener's first reconnection; it doubles on each
// failure up to data.MaxWatchBackoff. It does not follow Watch's interval: a replica polling
// every minute still wants its notifications back within a second of the database.
const firstReconnect = 250 * time.Millisecond

// Watch implements data.Store: it LISTENs for the active row's notifications on a connection of
// its own and reads the active version whenever one names this store's schema, so a change made
// by any process is seen at its commit. It also polls every interval (data.PollActiveNotified),
// which covers a notification lost with a dropped connection. The listener reconnects with
// backoff; it and the poll tell onErr of their failures (one at a time). After reconnecting it
// reads the active version at once, for what changed while it was away. Watch returns ctx.Err()
// when ctx ends, or ErrClosed when the store is closed first.
func (s *Store) Watch(ctx context.Context, interval time.Duration, fn func(version int64), onErr func(err error, retryIn time.Duration)) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.watches.Add(1)
	s.mu.Unlock()
	defer s.watches.Done()

	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-s.stop:
			cancel(ErrClosed)
		case <-wctx.Done():
		}
	}()

	var errMu sync.Mutex // the listener and the poll report from two goroutines
	report := func(err error, retryIn time.Duration) {
		if onErr != nil && wctx.Err() == nil {
			errMu.Lock()
			defer errMu.Unlock()
			onErr(err, retryIn)
		}
	}
	wake := make(chan struct{}, 1)
	var listener sync.WaitGroup
	listener.Go(func() { s.listen(wctx, wake, report) })
	err := data.PollActiveNotified(wctx, s.ActiveVersion, interval, wake, fn, report)
	cancel(nil)
	listener.Wait()
	if ctx.Err() == nil && errors.Is(context.Cause(wctx), ErrClosed) {
		return ErrClosed
	}
	return err
}

// listen keeps a LISTEN connection open until ctx ends, sending on wake (without blocking: one
// pending wake is as good as several) for each notification about this store.
func (s *Store) listen(ctx context.Context, wake chan<- struct{}, onErr func(error, time.Duration)) {
	mine := s.schema + ":"
	listen(ctx, s.pool.Config().ConnConfig, NotifyChannel, func(p string) bool { return strings.HasPrefix(p, mine) },
		wake, func(err error, retryIn time.Duration) {
			onErr(fmt.Errorf("listen for active version changes: %w", err), retryIn)
		})
}

// listen keeps a LISTEN on channel open on a connection of its own until ctx ends, sending on
// wake for each notification whose payload ours accepts: other schemas of the database (other
// cities, tests) share the channel. It reconnects with backoff, telling onErr of each failure;
// after each (re)connection it wakes once, for whatever changed while nobody listened.
func listen(ctx context.Context, cfg *pgx.ConnConfig, channel string, ours func(payload string) bool,
	wake chan<- struct{}, onErr func(error, time.Duration)) {
	backoff := firstReconnect
	for {
		err := listenOnce(ctx, cfg, channel, ours, wake, func() { backoff = firstReconnect })
		if ctx.Err() != nil {
			return
		}
		onErr(err, backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, data.MaxWatchBackoff)
	}
}

// listenOnce connects, LISTENs and forwards notifications until the connection fails or ctx
// ends; connected is called once the LISTEN is in place.
func listenOnce(ctx context.Context, cfg *pgx.ConnConfig, channel string, ours func(string) bool,
	wake chan<- struct{}, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	poke(wake)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if ours(n.Payload) {
			poke(wake)
		}
	}
}

func poke(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
