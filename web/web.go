// Package web holds the wall-screen page (index.html, app.js, app.css) and, once built by
// `npm run build`, the MapLibre GL files under dist/vendor. It only provides files: the api
// package serves them.
package web

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"strings"
)

//go:embed index.html app.js app.css
var page embed.FS

// dist always exists (README.md is committed); dist/vendor exists when npm run build ran
// before go build.
//
//go:embed all:dist
var dist embed.FS

// VendorProbe is a file that exists when the MapLibre assets are available.
const VendorProbe = "vendor/maplibre-gl/maplibre-gl.mjs"

// Assets is the page plus the vendor files, from the binary or from a folder on disk.
type Assets struct {
	disk fs.FS // web/dist on disk, or nil
}

var _ fs.FS = (*Assets)(nil)

// New returns the assets. diskDir ("" for none) is a built web/dist folder that takes
// precedence over the embedded one, so a binary built before npm can still serve the map.
func New(diskDir string) *Assets {
	a := &Assets{}
	if diskDir != "" {
		a.disk = os.DirFS(diskDir)
	}
	return a
}

// Open opens a page file ("index.html") or a vendor file ("vendor/maplibre-gl/…").
func (a *Assets) Open(name string) (fs.File, error) {
	if !strings.HasPrefix(name, "vendor/") {
		return page.Open(name)
	}
	if a.disk != nil {
		if f, err := a.disk.Open(name); err == nil {
			return f, nil
		}
	}
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	return sub.Open(name)
}

// HasVendor reports whether the MapLibre assets are available.
func (a *Assets) HasVendor() bool {
	f, err := a.Open(VendorProbe)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// ErrNoVendor explains how to build the map assets.
var ErrNoVendor = errors.New("map assets not built: run `cd web && npm ci && npm run build`, then rebuild citygeo or pass --web-dir web/dist")
