package api

import (
	"context"
	"time"
)

// Follow keeps the server on the store's active version: it polls the active pointer every
// interval and swaps in a new snapshot when another process (citygeo import, rollback) moved
// it. It returns when ctx ends.
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
	})
}
