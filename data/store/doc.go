// Package store keeps dataset versions in one SQLite file (pure-Go driver, no cgo): every
// import writes a new version in a single transaction, and an "active" pointer says which
// version a server serves, so a rollback is an Activate of an older version.
//
// It is not a cache and holds no state between calls beyond the open database. The schema is one
// table family that maps 1:1 onto PostGIS (BLOB WKB → geometry(…, 4490), TEXT JSON → jsonb):
//
//	dataset_version(version, name, created_at, source, counts)  -- one row per version
//	feature(id, version, layer, seq, fid, geom, props)          -- every feature of every layer
//	active(id = 1, version, changed_at)                         -- the version being served
//
// A feature's id packs (version, layer, seq) into the rowid (see rowKey): a version is appended
// in rowid order and a layer loads as one rowid range. A file from the first schema (feature
// WITHOUT ROWID) is refused by Open with ErrOldSchema.
//
// A feature row is its layer name, its position in the layer, its identifier, its geometry as
// WKB in CGCS2000 lon/lat, and its remaining fields as JSON. Extension point: a new layer (the
// dispatch work's events and duty rules) needs only a new Layer name and a codec in codec.go;
// the schema does not change.
package store
