package postgis

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgtype"

	"citygeo/data"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/storetest"
)

// TestComponentsDecodeRaw checks that the component rows of a load take the raw decoder (the
// conformance suite passes through either path, so only this test notices when a column's type
// or format sends every row back through pgx's scan plans) and that it reads every field as
// saved.
func TestComponentsDecodeRaw(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := storetest.FullDataset()
	v, err := s.Save(ctx, want, "test")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+componentTable.selectList()+` FROM component WHERE version = $1 ORDER BY seq`, v)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	if !rawComponents(fields) {
		t.Fatalf("component rows are not decoded raw: fields %+v", fields)
	}
	dec := &rowDecoder{m: pgtype.NewMap(), t: componentTable}
	got := &data.Dataset{}
	for rows.Next() {
		var b batch
		b.add(fields, rows.RawValues())
		b.rows[0].dec = dec
		if err := componentTable.scan(&b.rows[0], got); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Components, got.Components); diff != "" {
		t.Fatalf("components differ (-saved +decoded):\n%s", diff)
	}
}
