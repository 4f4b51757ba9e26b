// Package bench holds citygeo's workloads and measurement tools: the load generator
// (bench/loadgen, with its command bench/load), the side-by-side harness against PostGIS and
// Tile38 (bench/side) and the accuracy harnesses. Nothing here is needed by the server.
package bench
