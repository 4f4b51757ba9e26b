// Package sample generates the built-in sample city: a synthetic 深圳市罗湖区 (district 440303)
// with its real street and community codes and names, ~100 m unit grids that tile the
// communities exactly, named roads, components of many classes, house numbers, compounds and
// POIs. It is not a survey: every geometry, department credit code, house number and POI
// location is made up, and only the administrative codes and names (NBS 2023) are real.
//
// Generate is deterministic: the same Options give a byte-identical dataset.
package sample
