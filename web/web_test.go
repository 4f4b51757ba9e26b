package web_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"citygeo/web"
)

func TestPageFiles(t *testing.T) {
	a := web.New("")
	for _, name := range []string{"index.html", "app.js", "app.css"} {
		f, err := a.Open(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if len(b) < 100 {
			t.Errorf("%s: %d bytes", name, len(b))
		}
	}
	if _, err := a.Open("vendor/nope.js"); err == nil {
		t.Error("missing vendor file opened")
	}
}

func TestDiskVendorWins(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, filepath.FromSlash(web.VendorProbe))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("from disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := web.New(dir)
	if !a.HasVendor() {
		t.Fatal("disk vendor not found")
	}
	f, err := a.Open(web.VendorProbe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, _ := io.ReadAll(f); string(b) != "from disk" {
		t.Errorf("got %q, want the disk file", b)
	}
}
