package data

import (
	"context"
	"fmt"
	"time"
)

// LoadAsOf reconstructs the dataset as it stood at time t: the newest version saved at or
// before t, plus the changes recorded against it up to t (the edits it was served with). The
// store keeps no record of which version was active when, so a rollback made before t is not
// seen: the answer follows the newest line. ErrNoVersion when no version is that old.
func LoadAsOf(ctx context.Context, st ChangeStore, t time.Time) (*Dataset, error) {
	vs, err := st.Versions(ctx)
	if err != nil {
		return nil, err
	}
	var v int64
	for _, x := range vs {
		if !x.CreatedAt.After(t) && x.Version > v {
			v = x.Version
		}
	}
	if v == 0 {
		return nil, fmt.Errorf("dataset as of %s: %w", t.Format(time.RFC3339), ErrNoVersion)
	}
	ds, err := st.Load(ctx, v)
	if err != nil {
		return nil, err
	}
	after, err := st.VersionSeq(ctx, v)
	if err != nil {
		return nil, err
	}
	var held []Change
	for {
		page, err := st.ChangesAfter(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if c.Base == v && !c.At.After(t) {
				held = append(held, c)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Seq
	}
	return Apply(ds, held), nil
}
