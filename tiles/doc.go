// Package tiles builds Mapbox Vector Tiles (spec 2.1) of a city dataset in memory: it projects,
// clips with a 64-unit buffer, simplifies per zoom, snaps to integers by rounding, drops
// zero-length segments and degenerate rings, rewinds rings to the MVT rule (exterior positive
// area in tile coordinates) and encodes layer version 2 with extent 4096. It also holds the
// per-zoom layer rules, a byte-budget tile cache keyed by dataset version, TileJSON, the MapLibre
// styles and the PMTiles export.
//
// It does not speak HTTP: the api package maps a Tiler's answers onto requests. It never mutates
// the dataset: NewIndex keeps a private Web Mercator copy of every geometry.
//
// Sets and layers. The "city" set has areas (boundaries kind=boundary, label points
// kind=label), grids (plus label points from z16), roads and components (clusters up to z15,
// every component from z16); the "events" set has the live events of an EventSource. Rules
// lists from which zoom each kind and attribute appears. A layer is thinned — never dropped —
// to Options.MaxFeatures and until the tile fits Options.MaxBytes (default 500 KiB); thinning
// keeps the features with the lowest hash of their id, so neighbouring tiles agree.
//
// Feature ids are stable across tiles, zooms and versions and below 2^53 (MapLibre holds them
// as JavaScript numbers): the grid, area or component code itself, or a hash for codes that do
// not fit (see FeatureID).
//
// Caching. A Cache is shared by the Tilers of every version; its keys carry the version, so a
// new version or a rollback never serves another version's tile. Events tiles are dropped one by
// one: after an event changes, Cache.EventChanged(old, new) removes exactly the tiles whose
// buffered area holds either position (EventTiles).
//
// Text. The styles carry no "glyphs" URL, so MapLibre draws every label (Chinese and Latin)
// with local fonts named by Fonts; no glyph PBFs are needed and nothing is fetched from the
// internet. Screens need a CJK font installed (e.g. Debian fonts-noto-cjk).
package tiles
