package api

import (
	"errors"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"deflate, gzip;q=1.0":  true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"*":                    true,
		"*;q=0":                false,
		"br, *;q=0.1":          true,
		"gzip;q=0, *":          false,
		"identity":             false,
		"x-gzip":               true,
		"gzip;q=abc":           false,
		" br ,  gzip ; q=0.5 ": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestETagMatch(t *testing.T) {
	for _, tc := range []struct {
		h, etag string
		want    bool
	}{
		{`"a"`, `"a"`, true},
		{`"b", "a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`*`, `"a"`, true},
		{`"a-gz"`, `"a"`, false},
		{``, `"a"`, false},
	} {
		if got := etagMatch(tc.h, tc.etag); got != tc.want {
			t.Errorf("etagMatch(%q, %q) = %v", tc.h, tc.etag, got)
		}
	}
}

// FuzzParseTileCoords: any path segments give coordinates inside zoom z's range or a typed
// 400/404 error, never a panic.
func FuzzParseTileCoords(f *testing.F) {
	f.Add("15", "26772", "14276.mvt")
	f.Add("0", "0", "0.mvt")
	f.Add("31", "1", "1.mvt")
	f.Add("2", "4", "0.mvt")
	f.Add("-1", "0", "0.mvt")
	f.Add("3", "1", "1.png")
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		z, x, y, err := parseTileCoords(zs, xs, ys)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 404) {
				t.Fatalf("error %v is not a 400/404 *Error", err)
			}
			return
		}
		if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
			t.Fatalf("accepted %d/%d/%d", z, x, y)
		}
	})
}
