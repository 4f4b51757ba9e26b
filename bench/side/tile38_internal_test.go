package main

import (
	"testing"
)

// TestTile38Replies reads searches' replies in the shapes Tile38 sends them over RESP (its
// internal/server/scanner.go: [cursor, [id …]] for IDS, [cursor, tile] for MVT), as redigo
// hands them over.
func TestTile38Replies(t *testing.T) {
	ids := map[string]struct {
		reply   any
		want    string
		wantErr bool
	}{
		"one id":       {reply: []any{int64(0), []any{[]byte("440303001001")}}, want: "440303001001"},
		"first of two": {reply: []any{int64(2), []any{[]byte("a"), []byte("b")}}, want: "a"},
		"none":         {reply: []any{int64(0), []any{}}},
		"no cursor":    {reply: []any{int64(0)}, wantErr: true},
		"an error":     {reply: []any{int64(0), "x"}, wantErr: true},
	}
	for name, tc := range ids {
		t.Run("ids/"+name, func(t *testing.T) {
			got, err := firstID(tc.reply, nil)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("firstID = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
	tiles := map[string]struct {
		reply   any
		want    int
		wantErr bool
	}{
		"tile":      {reply: []any{int64(0), []byte{0x1a, 0x02, 0x78, 0x02}}, want: 4},
		"empty":     {reply: []any{int64(0), []byte{}}},
		"no tile":   {reply: []any{int64(0)}, wantErr: true},
		"not bytes": {reply: []any{int64(0), []any{}}, wantErr: true},
	}
	for name, tc := range tiles {
		t.Run("mvt/"+name, func(t *testing.T) {
			got, err := mvtTile(tc.reply, nil)
			if len(got) != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("mvtTile = %d bytes, %v; want %d, error %v", len(got), err, tc.want, tc.wantErr)
			}
		})
	}
}
