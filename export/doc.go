// Package export writes a city dataset for GIS staff (QGIS, ArcGIS, GDAL): GeoJSON, Shapefile
// and GeoPackage, one layer per kind, with columns as an export Profile names them.
//
// A profile is a table from schema field keys to output columns; the project's own profile,
// Own, is the one the importer reads back unchanged. The package reads no survey files.
package export
