package field

import (
	"context"
	"slices"
	"sync"
	"time"

	"citygeo/data"
)

// MemTracks is a data.TrackStore in memory: nothing survives the process. It serves the
// built-in sample city and tests; its zero value is ready, and Close keeps the fixes (a
// "reopen" of the same value sees them, as the conformance suite expects).
type MemTracks struct {
	mu    sync.RWMutex
	fixes map[string][]data.Fix // per device, in time order, one per time
}

var _ data.TrackStore = (*MemTracks)(nil)

// Append implements data.TrackStore.
func (m *MemTracks) Append(_ context.Context, fixes []data.Fix) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fixes == nil {
		m.fixes = map[string][]data.Fix{}
	}
	for _, f := range fixes {
		f.Time = f.Time.Truncate(time.Millisecond)
		s := m.fixes[f.Device]
		i, found := slices.BinarySearchFunc(s, f.Time, func(a data.Fix, t time.Time) int { return a.Time.Compare(t) })
		if !found {
			m.fixes[f.Device] = slices.Insert(s, i, f)
		}
	}
	return nil
}

// Track implements data.TrackStore.
func (m *MemTracks) Track(_ context.Context, device string, from, to time.Time) ([]data.Fix, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.fixes[device]
	cmp := func(a data.Fix, t time.Time) int { return a.Time.Compare(t) }
	i, _ := slices.BinarySearchFunc(s, from, cmp)
	j, _ := slices.BinarySearchFunc(s, to, cmp)
	return slices.Clone(s[i:max(i, j)]), nil
}

// Latest implements data.TrackStore.
func (m *MemTracks) Latest(context.Context) ([]data.Fix, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []data.Fix
	for _, s := range m.fixes {
		if len(s) > 0 {
			out = append(out, s[len(s)-1])
		}
	}
	return out, nil
}

// Prune implements data.TrackStore.
func (m *MemTracks) Prune(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for dev, s := range m.fixes {
		i, _ := slices.BinarySearchFunc(s, before, func(a data.Fix, t time.Time) int { return a.Time.Compare(t) })
		n += int64(i)
		if i == len(s) {
			delete(m.fixes, dev)
		} else {
			m.fixes[dev] = slices.Clone(s[i:])
		}
	}
	return n, nil
}

// Close implements data.TrackStore; the fixes stay.
func (m *MemTracks) Close() error { return nil }
