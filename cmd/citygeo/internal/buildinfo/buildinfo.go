// Package buildinfo says which build of citygeo is running: the version, the commit and its
// time, as the Go toolchain records them (runtime/debug.ReadBuildInfo) or as a release build
// sets them with -ldflags. It is what `citygeo version`, /v1/info and the citygeo_build_info
// metric report, so an operator can tell which binary answers.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Version, Commit and Date override what the toolchain records when a release build sets them:
//
//	go build -ldflags "-X citygeo/cmd/citygeo/internal/buildinfo.Version=1.4.0 \
//	  -X citygeo/cmd/citygeo/internal/buildinfo.Commit=$(git rev-parse HEAD)" ./cmd/citygeo
//
// They are package variables only because -ldflags -X can set nothing else; nothing assigns
// them at run time.
var (
	Version string
	Commit  string
	Date    string // RFC 3339 commit or build time
)

// Info describes a build.
type Info struct {
	Version  string `json:"version"`            // release version, or "devel" for a build from a work tree
	Commit   string `json:"commit,omitempty"`   // VCS revision
	Time     string `json:"time,omitempty"`     // commit time, RFC 3339
	Modified bool   `json:"modified,omitempty"` // built from a work tree with uncommitted changes
	Go       string `json:"go"`                 // Go version that built the binary
}

// Read returns the running binary's build information.
func Read() Info {
	info := Info{Version: "devel", Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if Version != "" {
		info.Version = Version
	}
	if Commit != "" {
		info.Commit, info.Modified = Commit, false
	}
	if Date != "" {
		info.Time = Date
	}
	return info
}

// String is the one-line form `citygeo version` prints: "devel 1a2b3c4d5e6f+ (2026-11-30T10:00:00Z, go1.26.8)".
func (i Info) String() string {
	s := i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if i.Modified {
			c += "+"
		}
		s += " " + c
	}
	s += " ("
	if i.Time != "" {
		if t, err := time.Parse(time.RFC3339, i.Time); err == nil {
			s += t.UTC().Format(time.RFC3339) + ", "
		} else {
			s += i.Time + ", "
		}
	}
	return s + i.Go + ")"
}
