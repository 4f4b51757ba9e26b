// Package importer reads GIS staff's survey files (GeoJSON, newline-delimited GeoJSON,
// Shapefile loose or zipped, GeoPackage, CSV), converts them to CGCS2000 lon/lat, maps their
// columns onto the city model, validates the result and writes it as a new dataset version.
//
// Readers stream: a file is never held whole in memory as text. Every problem found is a
// Finding naming the layer, the feature, its source id and the field; errors block an import,
// warnings do not. The package serves no requests.
package importer
