package buildinfo_test

import (
	"runtime"
	"testing"

	"citygeo/cmd/citygeo/internal/buildinfo"
)

func TestString(t *testing.T) {
	tests := map[string]struct {
		info buildinfo.Info
		want string
	}{
		"work tree": {buildinfo.Info{Version: "devel", Go: "go1.26.8"}, "devel (go1.26.8)"},
		"release": {buildinfo.Info{Version: "v1.4.0", Commit: "63a703ae8aeb2d706f86c79bcddfcbfee6aa0028", Time: "2026-12-01T23:51:23+08:00", Go: "go1.26.8"},
			"v1.4.0 63a703ae8aeb (2026-12-01T15:51:23Z, go1.26.8)"},
		"modified": {buildinfo.Info{Version: "devel", Commit: "abc", Modified: true, Go: "go1.26.8"}, "devel abc+ (go1.26.8)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.info.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	if bi := buildinfo.Read(); bi.Go != runtime.Version() || bi.Version == "" {
		t.Errorf("Read() = %+v", bi)
	}
}
