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
// Sets and layers. The city set (SetCity) has areas (boundaries kind=boundary, label points
// kind=label), grids (plus label points from z16), roads and components (clusters up to z15,
// every component from z16); Rules lists from which zoom each kind and attribute appears. A
// layer is thinned — never dropped — to Options.MaxFeatures and until the tile fits
// Options.MaxBytes (default 500 KiB); thinning keeps the features with the lowest hash of their
// id, so neighbouring tiles agree. Set and layer names are constants (SetCity, LayerGrids …).
//
// Live layers. Points that change while a version is served — the dispatch feed's events,
// patrollers' and vehicles' positions — are each a tile set of their own with one layer. A live
// feature may also carry a line or an area (LiveFeature.Shape): the duty lists' zones and road
// segments are live sets so, registered without a cache since Changed works by point. Their
// owner implements LiveLayer (its Rule: set, layer, zooms, attributes; In: the features in a
// bound, each an id, a point and tags) and registers it once on a Live, with a cache. A Tiler
// serves the sets of the Live given to WithLive at /tiles/{set}/… like the city set, TileJSON
// describes them from their rule, and Style adds a source and a circle layer for each. Events
// are the first registration (the api package adapts the dispatch feed); a new live layer is
// one more Register call, not new tile code (the styles draw it grey until the palette names a
// colour for its set, and TileJSON describes it once layerDescriptions does).
//
// Feature ids are stable across tiles, zooms and versions and below 2^53 (MapLibre holds them
// as JavaScript numbers): the grid, area or component code itself, or a hash for codes that do
// not fit (see FeatureID).
//
// Caching. A Cache is shared by the Tilers of every version; its keys carry the version, so a
// new version or a rollback never serves another version's tile. A live set's tiles carry no
// version and are dropped one by one: after a feature moves, appears or goes, its owner calls
// LiveSet.Changed(old, new), which removes exactly the cached tiles of that set whose buffered
// area holds either position (LiveSet.TilesAt); a tile built while the change happened is not
// stored. A tile no cache keeps (the cache off, or a tile an edit holds out of it) is built in
// pooled buffers and gzipped only when asked (Tile.Gzipped); its server calls Tile.Release once
// the bytes are written, so uncached tiles allocate almost nothing (scratch.go says why that
// matters on a heap that holds a city).
//
// Text. The styles carry no "glyphs" URL, so MapLibre draws every label (Chinese and Latin)
// with local fonts named by Fonts; no glyph PBFs are needed and nothing is fetched from the
// internet. Screens need a CJK font installed (e.g. Debian fonts-noto-cjk).
package tiles
