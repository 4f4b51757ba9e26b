// Package api is citygeo's HTTP layer: gin routes, parameter binding, auth and the current
// Snapshot behind an atomic pointer. Handlers bind, call the domain packages and render; they
// hold no domain logic.
package api
