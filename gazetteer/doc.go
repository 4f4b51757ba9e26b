// Package gazetteer turns Chinese addresses into points and points into addresses: it
// normalizes and parses address text (mainland and Taiwan forms, simplified and traditional),
// indexes a dataset's 门牌, roads, buildings, POIs and areas once, and answers Geocode, Reverse
// and Suggest from memory.
//
// The parser also knows the mainland province, city and county names (an embedded NBS table),
// so an admin prefix outside the dataset still parses; New derives the deployment's province
// and city from the dataset's area codes (DeploymentOf), and addresses naming another place
// rank as doubtful.
//
// It is not a spatial index of grids or components (package geo locates a point in the grid
// and area chain; Options.Locate plugs it in) and it does not load files (package importer).
package gazetteer
