package dispatch

import (
	"sort"

	"citygeo/data"
)

// changeLog numbers the feed's changes for readers that resume (the events stream): an entry
// per write, pointing at the version written, and an entry stays valid while its event still is
// that version. It lives under the feed's mu.
type changeLog struct {
	entries  []logEntry
	head     int64 // the number of the last change applied
	floor    int64 // resuming after a number below this misses changes (events pruned since)
	events   map[string]*data.Event
	watchers map[chan struct{}]struct{}
}

type logEntry struct {
	seq int64
	ev  *data.Event
}

func (l *changeLog) init(events map[string]*data.Event) {
	l.events, l.watchers = events, map[chan struct{}]struct{}{}
}

// valid reports whether en is still the current version of its event.
func (l *changeLog) valid(en logEntry) bool {
	return en.seq == en.ev.Seq && l.events[en.ev.ID] == en.ev
}

// add logs e's version, numbered e.Seq, unless it is numbered at or below the head (an event of
// an older events file, or a change logged already), and wakes the watchers.
func (l *changeLog) add(e *data.Event) {
	if e.Seq <= l.head {
		return
	}
	l.entries = append(l.entries, logEntry{e.Seq, e})
	l.head = e.Seq
	if len(l.entries) > 2*len(l.events)+1024 {
		kept := l.entries[:0]
		for _, en := range l.entries {
			if l.valid(en) {
				kept = append(kept, en)
			}
		}
		clear(l.entries[len(kept):])
		l.entries = kept
	}
	for w := range l.watchers {
		select {
		case w <- struct{}{}:
		default: // already told
		}
	}
}

// MaxReplay is the most changes ChangesSince replays; a reader further behind reloads.
const MaxReplay = 20000

// ChangesSince returns the current version of every event changed after the change numbered
// seq, in change order (an event changed twice since comes once, as it is now), and the number
// of the last change applied, to resume from. ok is false when the changes after seq cannot all
// be told: seq is below what is kept (closed events dropped from memory by Prune), above the
// last change (a number from another feed: the server restarted on another event store), or
// more than MaxReplay changes ago; the reader then reloads and resumes from head.
func (f *Feed) ChangesSince(seq int64) (evs []data.Event, head int64, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	l := &f.log
	if seq < l.floor || seq > l.head {
		return nil, l.head, false
	}
	i := sort.Search(len(l.entries), func(i int) bool { return l.entries[i].seq > seq })
	if len(l.entries)-i > MaxReplay {
		return nil, l.head, false
	}
	for _, en := range l.entries[i:] {
		if l.valid(en) {
			evs = append(evs, en.ev.Clone())
		}
	}
	return evs, l.head, true
}

// Head returns the number of the last change applied: a reader that has the events as of now
// resumes from it.
func (f *Feed) Head() int64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.log.head
}

// Watch returns a channel that receives whenever changes were logged (one value for any
// number of them: the reader then asks ChangesSince), and the function that stops it.
func (f *Feed) Watch() (<-chan struct{}, func()) {
	w := make(chan struct{}, 1)
	f.mu.Lock()
	f.log.watchers[w] = struct{}{}
	f.mu.Unlock()
	return w, func() {
		f.mu.Lock()
		delete(f.log.watchers, w)
		f.mu.Unlock()
	}
}
