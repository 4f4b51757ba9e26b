// Package duty answers "who is on duty here and now": the people, teams and duty units a
// city puts on its places — 监督员 on unit grids, 街长/片长 on zones (责任网格, 片区), crews and
// 门前三包 units on road segments — with their shifts and A/B stand-ins (delegations).
//
// It reads a deployment's duty lists (CSV and JSON here; an .xlsx workbook through package
// duty/dutyfile, which keeps the workbook library's HTTP dependency out of this package) into a
// Roster, naming the row and field of every problem; resolves the roster against one dataset version (Build:
// grids of zones, road segments such as "人民路（友谊桥至和平桥）" turned into lines along the
// road through the gazetteer, double claims and overlapping segments as findings); answers
// lookups from the resulting Index in about a microsecond; and reports coverage gaps. Board
// keeps the current roster and its index per dataset version.
//
// It knows nothing of HTTP. The roster is not part of a dataset version: it changes daily
// (shifts, delegations) while survey data changes rarely, so it is kept and imported apart
// and re-resolved against each version served.
package duty
