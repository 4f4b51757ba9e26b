package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreMustExist: the commands that read a store or switch its versions fail on a path that
// names no store, and say so, instead of creating an empty database; only import and gen create
// one (TestGen, TestImportSIGKILL).
func TestStoreMustExist(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "ctiy.db")
	tests := map[string][]string{
		"serve":    {"serve", "--store", typo, "--addr", "127.0.0.1:0"},
		"versions": {"versions", "--store", typo},
		"rollback": {"rollback", "--store", typo, "1"},
		"diff":     {"diff", "--store", typo, "1", "2"},
		"export":   {"export", "--store", typo, "--out", filepath.Join(dir, "out")},
		"locate":   {"locate", "--store", typo, "--lng", "114.12", "--lat", "22.55"},
		"a folder": {"versions", "--store", dir},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := run(t, args...)
			if err == nil || !(strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), "is a directory")) {
				t.Fatalf("%v: error %v, want one saying the store does not exist", args, err)
			}
			if _, err := os.Stat(typo); !os.IsNotExist(err) {
				t.Errorf("%v created %s", args, typo)
			}
		})
	}
}

// TestStoreNames: which --store values pick PostgreSQL, and that a URL's password never reaches
// a message.
func TestStoreNames(t *testing.T) {
	for _, tc := range []struct {
		where string
		pg    bool
		name  string
	}{
		{"city.db", false, "city.db"},
		{"/data/城市 a?b.db", false, "/data/城市 a?b.db"},
		{"postgres://citygeo:s3cret@db:5432/city?sslmode=disable", true, "postgres://citygeo:xxxxx@db:5432/city?sslmode=disable"},
		{"postgresql://replica@10.0.0.5/city", true, "postgresql://replica@10.0.0.5/city"},
		{"postgres.db", false, "postgres.db"},
	} {
		if got := isPostgres(tc.where); got != tc.pg {
			t.Errorf("isPostgres(%q) = %v, want %v", tc.where, got, tc.pg)
		}
		if got := storeName(tc.where); got != tc.name {
			t.Errorf("storeName(%q) = %q, want %q", tc.where, got, tc.name)
		}
	}
}
