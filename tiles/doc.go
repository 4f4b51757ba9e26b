// Package tiles builds Mapbox Vector Tiles (spec 2.1) of a city dataset in memory: it projects,
// clips with a buffer, simplifies per zoom, snaps to integers, drops degenerate parts, rewinds
// rings to the MVT rule and encodes layer version 2 with extent 4096. It also holds the per-zoom
// layer rules, a byte-budget tile cache keyed by dataset version, TileJSON and MapLibre styles.
//
// It does not speak HTTP: the api package maps a Tiler's answers onto requests. It never mutates
// the dataset: every tile is built from a private Web Mercator copy of the geometry.
package tiles
