package postgis_test

import (
	"context"
	"testing"

	"citygeo/data/postgis"
)

// TestDocuments: a document written by one handle is read by another with a new sequence
// number at every write; a name never written reads as nothing.
func TestDocuments(t *testing.T) {
	ctx := context.Background()
	dsn := testDB(t)
	a, err := postgis.OpenDocuments(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgis.OpenDocuments(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if doc, seq, err := b.Get(ctx, "duty"); doc != nil || seq != 0 || err != nil {
		t.Fatalf("before any write: %q, %d, %v", doc, seq, err)
	}
	var last int64
	for _, want := range []string{`{"people":[]}`, `{"people":[{"id":"P1"}]}`} {
		seq, err := a.Put(ctx, "duty", []byte(want))
		if err != nil || seq <= last {
			t.Fatalf("put: seq %d after %d, %v", seq, last, err)
		}
		last = seq
		doc, got, err := b.Get(ctx, "duty")
		if string(doc) != want || got != seq || err != nil {
			t.Errorf("other handle reads %q seq %d (%v), want %q seq %d", doc, got, err, want, seq)
		}
		if s, err := b.Seq(ctx, "duty"); s != seq || err != nil {
			t.Errorf("Seq = %d, %v; want %d", s, err, seq)
		}
	}
	if s, err := b.Seq(ctx, "fences"); s != 0 || err != nil {
		t.Errorf("Seq of another name = %d, %v", s, err)
	}
}
