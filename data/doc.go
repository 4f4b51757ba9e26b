// Package data is citygeo's city model: administrative areas, unit grids (单元网格),
// components (城市部件), departments and roads, the identifier rules that tie them together
// (GB/T 2260 area codes, 15-digit grid codes, CJ/T 214-2007 and GB/T 47678.5-2026 component
// identifiers) and both class catalogs; and the storage interfaces every backend implements
// (Store for dataset versions, EventStore for the events feed), with the backends in
// sub-packages (data/sqlite) and their conformance suite in data/storetest.
//
// It knows nothing of HTTP, tiles or address parsing. Geometry is orb geometry in CGCS2000
// longitude/latitude (equal to WGS84 well inside a metre).
package data
