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
