// Package dispatch answers the dispatcher's one question about a report — where is it, what does
// it concern, who must handle it by when, and was it already reported — from a city index, a
// duty-rule list (权责清单) and the live events feed.
//
// It holds the rule precedence and import, the working-hours deadline calendar, the duplicate
// index over open events, the events feed (persisted through a data.EventStore, which the
// storage backend provides: see data/sqlite.Events; Feed.Follow applies what other replicas
// write to a shared store, data.EventChanges) and the per-area statistics. It knows nothing of HTTP; geometry comes from package geo.
package dispatch
