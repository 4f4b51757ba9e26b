package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"citygeo/data"
)

// RunTracks runs the track store suite. newOpen is called once per subtest and returns a
// function that opens the same, initially empty, track store again (another handle, as after a
// restart): what one handle appended, the next must read.
func RunTracks(t *testing.T, newOpen func(t *testing.T) func(t *testing.T) data.TrackStore) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) data.TrackStore)
	}{
		{"RoundTripAfterReopen", testTrackRoundTrip},
		{"RangeIsHalfOpen", testTrackRange},
		{"ResendKeptOnce", testTrackResend},
		{"LatestPerDevice", testTrackLatest},
		{"PruneExactly", testTrackPrune},
		{"ConcurrentAppends", testTrackConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newOpen(t)) })
	}
}

// trackT0 is a morning in Shenzhen (UTC+8) as UTC.
var trackT0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// FullFix sets every field of a fix, so a round trip that drops one fails. Times are whole
// milliseconds: stores keep no finer.
func FullFix(device string, i int) data.Fix {
	return data.Fix{Device: device, Time: trackT0.Add(time.Duration(i) * 10 * time.Second),
		Point: orb.Point{114.1 + float64(i)*1e-5, 22.55 - float64(i)*1e-5}, Speed: 1.25 + float32(i), Heading: 359.5,
		Accuracy: 4.5, Status: "巡查中", Alarm: uint32(i) << 20, Source: data.SourceHTTP}
}

func openTracks(t *testing.T, open func(*testing.T) data.TrackStore) data.TrackStore {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func testTrackRoundTrip(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := open(t)
	var a, b []data.Fix
	for i := range 20 {
		a = append(a, FullFix("handset-1", i))
		f := FullFix("13912345678", i)
		f.Source, f.Status = data.SourceJT808, ""
		b = append(b, f)
	}
	// Out of order and interleaved, as blind-area re-sends and batches from several devices
	// arrive; and in two appends.
	mixed := []data.Fix{a[5], b[19], a[0], b[0]}
	mixed = append(mixed, a[1:5]...)
	if err := s.Append(ctx, mixed); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, append(append([]data.Fix{}, a[6:]...), b[1:19]...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTracks(t, open)
	for dev, want := range map[string][]data.Fix{"handset-1": a, "13912345678": b} {
		got, err := s.Track(ctx, dev, trackT0, trackT0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, timeEqual); d != "" {
			t.Errorf("track of %s after reopening (-want +got):\n%s", dev, d)
		}
	}
	if got, err := s.Track(ctx, "nobody", trackT0, trackT0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("track of an unknown device = %d fixes, %v", len(got), err)
	}
	if err := s.Append(ctx, nil); err != nil {
		t.Errorf("empty append: %v", err)
	}
}

func testTrackRange(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := openTracks(t, open)
	var fs []data.Fix
	// Two days at one fix per 20 minutes, so chunks and days both have edges to fall on.
	for i := range 144 {
		f := FullFix("d", 0)
		f.Time = trackT0.Add(time.Duration(i) * 20 * time.Minute)
		fs = append(fs, f)
	}
	if err := s.Append(ctx, fs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to time.Duration
		want     int
	}{
		{0, 24 * time.Hour, 72},
		{24 * time.Hour, 48 * time.Hour, 72},
		{20 * time.Minute, 40 * time.Minute, 1}, // from is included, to is not
		{21 * time.Minute, 40 * time.Minute, 0},
		{-time.Hour, 0, 0},
		{5 * time.Hour, 5*time.Hour + time.Millisecond, 1},
	} {
		got, err := s.Track(ctx, "d", trackT0.Add(tc.from), trackT0.Add(tc.to))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Errorf("[%v, %v): %d fixes, want %d", tc.from, tc.to, len(got), tc.want)
		}
		for i, f := range got {
			if f.Time.Before(trackT0.Add(tc.from)) || !f.Time.Before(trackT0.Add(tc.to)) || (i > 0 && !got[i-1].Time.Before(f.Time)) {
				t.Errorf("[%v, %v): fix %d at %v out of range or order", tc.from, tc.to, i, f.Time)
			}
		}
	}
}

func testTrackResend(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := openTracks(t, open)
	first := FullFix("d", 3)
	again := first
	again.Point = orb.Point{0, 0}
	if err := s.Append(ctx, []data.Fix{first, FullFix("d", 4), again}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, []data.Fix{again}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Track(ctx, "d", trackT0, trackT0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Point != first.Point {
		t.Errorf("after re-sends: %d fixes, first at %v; want 2, the first written at %v", len(got), got[0].Point, first.Point)
	}
}

func testTrackLatest(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := open(t)
	if err := s.Append(ctx, []data.Fix{FullFix("a", 5), FullFix("b", 1), FullFix("a", 9), FullFix("a", 7)}); err != nil {
		t.Fatal(err)
	}
	// A late re-send of an older fix must not become the latest.
	if err := s.Append(ctx, []data.Fix{FullFix("a", 2), FullFix("b", 3)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTracks(t, open)
	got, err := s.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byDev := map[string]data.Fix{}
	for _, f := range got {
		byDev[f.Device] = f
	}
	want := map[string]data.Fix{"a": FullFix("a", 9), "b": FullFix("b", 3)}
	if d := cmp.Diff(want, byDev, timeEqual); d != "" || len(got) != 2 {
		t.Errorf("latest (-want +got):\n%s", d)
	}
}

func testTrackPrune(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := openTracks(t, open)
	// a: 100 fixes over 990 s in one append (one chunk straddles the cut); b: only old fixes.
	var fs []data.Fix
	for i := range 100 {
		fs = append(fs, FullFix("a", i))
	}
	fs = append(fs, FullFix("b", 0), FullFix("b", 1))
	if err := s.Append(ctx, fs); err != nil {
		t.Fatal(err)
	}
	cut := FullFix("a", 40).Time
	n, err := s.Prune(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 42 {
		t.Errorf("Prune removed %d fixes, want 42 (40 of a, 2 of b)", n)
	}
	got, err := s.Track(ctx, "a", trackT0, trackT0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 60 || !got[0].Time.Equal(cut) {
		t.Errorf("after prune: %d fixes of a from %v, want 60 from %v", len(got), got[0].Time, cut)
	}
	if b, _ := s.Track(ctx, "b", trackT0, trackT0.Add(time.Hour)); len(b) != 0 {
		t.Errorf("after prune: %d fixes of b, want none", len(b))
	}
	latest, err := s.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 || latest[0].Device != "a" {
		t.Errorf("latest after prune = %+v; want only a's (b's last fix is older than the cut)", latest)
	}
	if n, err := s.Prune(ctx, cut); err != nil || n != 0 {
		t.Errorf("second prune removed %d, %v", n, err)
	}
}

func testTrackConcurrent(t *testing.T, open func(*testing.T) data.TrackStore) {
	ctx := context.Background()
	s := openTracks(t, open)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				var fs []data.Fix
				for i := range 10 {
					fs = append(fs, FullFix(fmt.Sprintf("dev%d", w), j*10+i))
				}
				if err := s.Append(ctx, fs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := range 8 {
		got, err := s.Track(ctx, fmt.Sprintf("dev%d", w), trackT0, trackT0.Add(time.Hour))
		if err != nil || len(got) != 100 {
			t.Errorf("dev%d: %d fixes, %v; want 100", w, len(got), err)
		}
	}
}

// RunTrackChanges runs the suite of a track store shared by processes. newOpen is as for
// RunTracks; the handles it opens stand for two processes on one database.
func RunTrackChanges(t *testing.T, newOpen func(t *testing.T) func(t *testing.T) data.TrackChanges) {
	t.Run("EachFixOnceInCommitOrder", func(t *testing.T) {
		ctx := context.Background()
		open := newOpen(t)
		a, b := open(t), open(t)
		t.Cleanup(func() { a.Close(); b.Close() })
		start, err := b.TrackCursor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var want []data.Fix
		for i := range 5 {
			batch := []data.Fix{FullFix("handset-1", i), FullFix("handset-2", i)}
			if err := a.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
			want = append(want, batch...)
		}
		// A re-send is stored once and so read once.
		if err := a.Append(ctx, []data.Fix{FullFix("handset-1", 0)}); err != nil {
			t.Fatal(err)
		}
		var got []data.Fix
		cursor := start
		for range 10 {
			page, next, err := b.FixesAfter(ctx, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				if next != cursor {
					t.Errorf("an empty page moved the cursor from %d to %d", cursor, next)
				}
				break
			}
			if len(page) > 3 {
				t.Fatalf("page of %d fixes, limit 3", len(page))
			}
			got, cursor = append(got, page...), next
		}
		if diff := cmp.Diff(want, got, timeEqual); diff != "" {
			t.Errorf("fixes read by the other handle (-appended +read):\n%s", diff)
		}
		if end, err := a.TrackCursor(ctx); err != nil || end != cursor {
			t.Errorf("cursor after reading all: %d, the store's %d (%v)", cursor, end, err)
		}
	})
	t.Run("ConcurrentAppendersNeverSkipped", func(t *testing.T) {
		// Two appenders racing: a follower reading as they go sees every fix exactly once,
		// which fails when numbers are drawn out of commit order.
		ctx := context.Background()
		open := newOpen(t)
		a, b, r := open(t), open(t), open(t)
		t.Cleanup(func() { a.Close(); b.Close(); r.Close() })
		var wg sync.WaitGroup
		const n = 40
		for w, s := range []data.TrackStore{a, b} {
			wg.Go(func() {
				for i := range n {
					if err := s.Append(ctx, []data.Fix{FullFix(fmt.Sprintf("w%d", w), i)}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		seen := map[string]int{}
		var cursor int64
		read := func() bool { // one page; false when there was nothing to read
			page, next, err := r.FixesAfter(ctx, cursor, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page {
				seen[fmt.Sprint(f.Device, f.Time.UnixMilli())]++
			}
			cursor = next
			return len(page) > 0
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
	follow:
		for {
			select {
			case <-done:
				break follow
			default:
				read()
			}
		}
		for read() {
		}
		if len(seen) != 2*n {
			t.Errorf("the follower saw %d distinct fixes, want %d", len(seen), 2*n)
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("fix %s read %d times", k, c)
			}
		}
	})
}
