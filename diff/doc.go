// Package diff compares two dataset versions layer by layer: which components, grids,
// addresses, POIs and roads were added, removed or changed, and for a changed one which fields
// (by their schema keys) and whether its geometry moved.
//
// It reads no store and renders nothing; the caller loads both versions and prints the Result.
package diff
