// Package ogc is the city as OGC API – Features (Part 1 Core, Part 2 CRS by reference): the
// collections a snapshot offers (grids, districts, streets, communities, components and one
// collection per major class, roads, addresses, POIs, open events), their extents and
// queryables, the item queries (bbox and bbox-crs, datetime, equality on queryable properties,
// limit and offset paging, output crs) and the documents the standard names (landing page,
// conformance, collections, the service's OpenAPI), built as plain Go values.
//
// It is not the HTTP layer: it knows no request or status code, and renders no HTML; the API
// package binds a request to a Query, calls a Catalog and writes what it returns. Coordinates
// are stored as CGCS2000 lon/lat; CRS converts them to what a client asks for, in the axis
// order its authority defines (EPSG:4326 and 4490 latitude first, Gauss–Krüger northing first).
package ogc
