package main

import (
	"os"
	"testing"
)

// TestMain lets a test re-run this binary as the citygeo command (CITYGEO_MAIN=1), so process
// level tests (SIGKILL) need no separate build.
func TestMain(m *testing.M) {
	if os.Getenv("CITYGEO_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
