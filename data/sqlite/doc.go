// Package sqlite is the embedded data.Store: dataset versions in one SQLite file (pure-Go driver,
// no cgo), every import written as a new version in a single transaction, and an "active" row
// saying which version is served, so a rollback is an Activate of an older version. It also
// keeps the events feed (Events), in a second file beside the store (EventsPath).
//
// It is not a cache and holds no state between calls beyond the open database. The schema keeps
// the versions and the active row as the PostGIS backend (data/postgis) does, but all features in
// one table, their attributes as JSON, where PostGIS has a typed table per layer:
//
//	dataset_version(version, name, created_at, source, counts)  -- one row per version
//	feature(id, version, layer, seq, fid, geom, props)          -- the features of small layers
//	layer_image(version, layer, lo, n, format, data)            -- the large layers, in chunks
//	image_record(version, layer, lo, fids)                      -- the chunks that are the record, with a Bloom filter of their ids
//	active(id = 1, version, changed_at)                         -- the version being served
//
// A feature's id packs (version, layer, seq) into the rowid (see rowKey): a version is appended
// in rowid order and a layer loads as one rowid range. This packing is this backend's own; the
// data.Store interface knows nothing of it. A file from the first schema (feature WITHOUT
// ROWID) is refused by Open with ErrOldSchema.
//
// A feature row is its layer name, its position in the layer, its identifier, its geometry as
// WKB in CGCS2000 lon/lat, and its remaining fields as JSON. The large layers (components,
// addresses, buildings, grids) are stored as an image instead (image.go): chunks of a binary
// layout, which are their features' record; a feature the image cannot hold exactly, and the
// layer's later ones, get rows. A version stored before that has every feature in rows, and its
// chunks, if any, only copy them. A load reads each layer whole or fails: it must read as many
// features as the version's counts say, so a lost row or chunk, or a damaged list of the
// chunks, is an error, never a shorter layer. A new layer needs a data.Layer name and a codec in codec.go;
// the schema does not change.
package sqlite
