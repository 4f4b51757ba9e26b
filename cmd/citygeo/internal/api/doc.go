// Package api is citygeo's HTTP layer: gin routes, parameter binding, auth and rendering. It
// answers from a city.City's current snapshot. Handlers bind, call the domain packages (city,
// dispatch, gazetteer, tiles, import) and render; they hold no domain logic.
package api
