// Package gazetteer turns Chinese addresses into points and points into addresses: it
// normalizes and parses address text (mainland and Taiwan forms, simplified and traditional),
// indexes a dataset's 门牌, roads, buildings, POIs and areas once, and answers Geocode, Reverse
// and Suggest from memory.
//
// The parser also knows the mainland province, city, county and 街道/乡镇 names (embedded NBS
// tables) and their short forms after their own parent (杭州萧山闻堰), so an admin prefix
// outside the dataset still parses; New derives the deployment's province and city from the
// dataset's area codes (DeploymentOf), and addresses naming another place rank as doubtful.
//
// Every candidate says what it vouches for: its level, a score, and how it differs from what
// was asked (Candidate.Asked, Matched, Reason). A number the index does not hold is placed
// between its neighbours, past the last one by at most MaxExtrapolate, from its base or a
// sibling, or inside a lane by Taiwan's numbering rule, and each says so; a fuzzy road never
// answers at 门牌号. Score orders the (level, reason) pairs as the calibration table
// (docs/geocode-calibration.md, from bench/geocode) measures them.
//
// It is not a spatial index of grids or components (package geo locates a point in the grid
// and area chain; Options.Locate plugs it in) and it does not load files (package importer).
package gazetteer
