// Package city is the served city: the Snapshot of one dataset version with every index built
// from it (geo, gazetteer, tiles, the /v1/info summary), the City that swaps snapshots as
// versions are imported, activated or rolled back, and the answers that are domain rules rather
// than rendering (Locate, with the department that answers for each component).
//
// It knows no HTTP: the API (cmd/citygeo/internal/api) and every CLI command call it, so
// `citygeo locate` and GET /v1/locate print one answer. A Snapshot is immutable once built;
// requests read the current one through an atomic pointer and never see it change under them.
package city
