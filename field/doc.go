// Package field is the field force live: the devices patrollers and vehicles carry, the latest
// position of each in memory, their tracks kept durably through a data.TrackStore for a
// retention in days, and the nearest-patroller search the dispatch desk calls.
//
// It does not speak any wire protocol (handsets post JSON to the HTTP API, vehicle terminals
// speak JT/T 808 to the listener in cmd/citygeo, package jt808 decodes it) and knows nothing of
// who is on duty where: that answer plugs in through the Duty interface.
package field
