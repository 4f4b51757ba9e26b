package api

import (
	"context"
	"time"
)

// Follow keeps the server on the store's active version: it polls the active pointer every
// interval and swaps in a new snapshot when another process (citygeo import, rollback) moved
// it. A store that cannot be read is logged and polled again with a growing wait (up to
// store.MaxWatchBackoff), so a transient failure never ends following. It returns when ctx
// ends.
func (s *Server) Follow(ctx context.Context, interval time.Duration) error {
	if s.store == nil {
		return nil
	}
	return s.store.Watch(ctx, interval, func(v int64) {
		s.importMu.Lock()
		defer s.importMu.Unlock()
		if err := s.reload(ctx, v); err != nil && ctx.Err() == nil {
			s.log.Error("follow store", "version", v, "err", err)
		}
	}, func(err error, retryIn time.Duration) {
		s.log.Error("follow store: reading the active version", "err", err, "retry_in", retryIn)
	})
}
