package dispatch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/dispatch"
)

// failStore refuses every write.
type failStore struct{ dispatch.MemStore }

var errDiskFull = errors.New("disk full")

func (failStore) Put(*data.Event) error { return errDiskFull }

// TestFile files, updates and closes events through the resolver and checks the stored
// events: times from one clock, the first report time kept on update, overrides applied.
func TestFile(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sampleResolver(feed)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	t0 := time.Date(2026, 11, 18, 10, 0, 0, 0, loc) // a Wednesday morning
	in := dispatch.Input{Point: ptr(cellCentre(1)), Class: "0501", Kind: "event"}
	resolved, err := r.Resolve(ctx, dispatch.Input{Point: in.Point, Class: in.Class, Kind: in.Kind, At: t0})
	if err != nil {
		t.Fatal(err)
	}

	// Created without a report time: reported, updated and the deadline all from now.
	ev, err := r.File(ctx, "E1", in, dispatch.Overrides{Source: "监督员上报", Description: "占道经营"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Reported.Equal(t0) || !ev.Updated.Equal(t0) || !ev.Deadline.Equal(resolved.Deadline) {
		t.Errorf("created: reported %v updated %v deadline %v; want %v, %v, %v", ev.Reported, ev.Updated, ev.Deadline, t0, t0, resolved.Deadline)
	}
	if ev.Department != resolved.Department || ev.Street != "440303003" || ev.Community != "440303003020" ||
		ev.District != "440303" || ev.Grid != resolved.Grid || ev.Status != data.EventOpen || ev.Source != "监督员上报" {
		t.Errorf("created: %+v; want the resolver's answer %+v", ev, resolved)
	}

	// Updated later without a report time: the first report time and its deadline stay.
	t1 := t0.Add(3 * time.Hour)
	ev, err = r.File(ctx, "E1", in, dispatch.Overrides{Description: "占道经营 (复核)"}, t1)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Reported.Equal(t0) || !ev.Updated.Equal(t1) || !ev.Deadline.Equal(resolved.Deadline) || ev.Description != "占道经营 (复核)" {
		t.Errorf("updated: reported %v updated %v deadline %v %q; want %v, %v, %v", ev.Reported, ev.Updated, ev.Deadline, ev.Description, t0, t1, resolved.Deadline)
	}

	// An update with a note only keeps the report's source and description, the department it
	// was dispatched to and its deadline, hand-set or not.
	handSet := t0.Add(90 * time.Minute)
	if _, err = r.File(ctx, "E1", in, dispatch.Overrides{Department: data.DeptRef{Code: "X9", Name: "市政所"}, Deadline: handSet}, t1); err != nil {
		t.Fatal(err)
	}
	if ev, err = r.File(ctx, "E1", in, dispatch.Overrides{Note: "补充照片"}, t1.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "监督员上报" || ev.Description != "占道经营 (复核)" || ev.Department.Code != "X9" || !ev.Deadline.Equal(handSet) {
		t.Errorf("note-only update: source %q description %q department %v deadline %v; want them kept", ev.Source, ev.Description, ev.Department, ev.Deadline)
	}

	// A report time given on update is taken.
	withTime := in
	withTime.Time = "2026-11-18T09:00:00+08:00"
	if ev, err = r.File(ctx, "E1", withTime, dispatch.Overrides{}, t1); err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(-time.Hour); !ev.Reported.Equal(want) || !ev.Deadline.After(want) || !ev.Deadline.Before(resolved.Deadline) {
		t.Errorf("given time: reported %v deadline %v; want %v and an earlier deadline than %v", ev.Reported, ev.Deadline, want, resolved.Deadline)
	}

	// Overrides replace the answer's department, deadline and priority.
	dept := data.DeptRef{Code: "X1", Name: "城管执法队"}
	deadline := t0.Add(30 * time.Minute)
	ev, err = r.File(ctx, "E2", in, dispatch.Overrides{Department: dept, Deadline: deadline, Priority: 3}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Department != dept || !ev.Deadline.Equal(deadline) || ev.Priority != 3 {
		t.Errorf("overrides: department %v deadline %v priority %d", ev.Department, ev.Deadline, ev.Priority)
	}

	// Filed closed with a position: closed at the given time, or now.
	closeAt := t0.Add(2 * time.Hour)
	for _, tc := range []struct {
		id     string
		closed time.Time
		want   time.Time
	}{{"E3", closeAt, closeAt}, {"E4", time.Time{}, t1}} {
		ev, err = r.File(ctx, tc.id, in, dispatch.Overrides{Status: data.EventClosed, Closed: tc.closed}, t1)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Status != data.EventClosed || !ev.Closed.Equal(tc.want) || ev.Department != resolved.Department {
			t.Errorf("%s filed closed: %+v; want closed at %v", tc.id, ev, tc.want)
		}
	}

	// Only a close: the stored event is closed as it is.
	ev, err = r.File(ctx, "E2", dispatch.Input{}, dispatch.Overrides{Status: data.EventClosed, Closed: closeAt}, t1)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Status != data.EventClosed || !ev.Closed.Equal(closeAt) || ev.Department != dept || ev.Priority != 3 {
		t.Errorf("closed: %+v; want E2 as filed, closed at %v", ev, closeAt)
	}
	if all, open := feed.Len(); all != 4 || open != 1 {
		t.Errorf("feed holds %d events, %d open; want 4, 1", all, open)
	}
}

// TestFileErrors checks that File's errors say what went wrong, so the HTTP layer can tell a
// client's mistake from a failed write.
func TestFileErrors(t *testing.T) {
	mem, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sampleResolver(mem)
	if err != nil {
		t.Fatal(err)
	}
	broken, err := dispatch.NewFeed(failStore{}, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := sampleResolver(broken)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	in := dispatch.Input{Point: ptr(cellCentre(1)), Class: "0501", Kind: "event"}
	closeOnly := dispatch.Overrides{Status: data.EventClosed}
	tests := []struct {
		name  string
		r     *dispatch.Resolver
		id    string
		in    dispatch.Input
		o     dispatch.Overrides
		field string // of the *InputError; "" when not one
		want  error
	}{
		{"no id", r, "", in, dispatch.Overrides{}, "id", dispatch.ErrBadInput},
		{"unknown class", r, "E1", dispatch.Input{Point: in.Point, Class: "0999"}, dispatch.Overrides{}, "class", dispatch.ErrUnknownClass},
		{"close unknown", r, "nope", dispatch.Input{}, closeOnly, "", dispatch.ErrUnknownEvent},
		{"store fails", rb, "E1", in, dispatch.Overrides{}, "", errDiskFull},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := tc.r.File(context.Background(), tc.id, tc.in, tc.o, now)
			if ev != nil || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, %v; want error %v", ev, err, tc.want)
			}
			var ie *dispatch.InputError
			if isInput := errors.As(err, &ie); isInput != (tc.field != "") || (isInput && ie.Field != tc.field) {
				t.Errorf("error %v: input error %v, want field %q", err, isInput, tc.field)
			}
			if tc.want != dispatch.ErrUnknownEvent && errors.Is(err, dispatch.ErrUnknownEvent) {
				t.Errorf("error %v claims an unknown event", err)
			}
		})
	}
}
