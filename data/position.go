package data

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// DeviceKind says what carries a device: a person (a 城管通 handset) or a vehicle (a JT/T 808
// terminal in a sanitation truck, an enforcement car, a muck truck).
type DeviceKind string

// The kinds of device.
const (
	DevicePerson  DeviceKind = "person"
	DeviceVehicle DeviceKind = "vehicle"
)

// Device is a position reporter and what it belongs to. The people and zones model (who is on
// duty where) refers to the same subjects by Subject.
type Device struct {
	ID      string     // handset id, or a JT/T 808 terminal's phone without leading zeros
	Kind    DeviceKind // person or vehicle
	Subject string     // the person's id or the vehicle's plate
	Name    string     // shown on the map: the person's name or the plate
	Role    string     // what the subject does: patroller (巡查员), supervisor (监督员), enforcer, sanitation, muck …
	Team    string     // team or unit
}

// FixSource says which door a fix came in by.
type FixSource uint8

// The doors fixes come in by.
const (
	SourceUnknown FixSource = iota
	SourceHTTP              // POST /v1/positions (handsets)
	SourceJT808             // the JT/T 808 listener (vehicle terminals)
)

var sourceNames = [...]string{SourceUnknown: "", SourceHTTP: "http", SourceJT808: "jt808"}

// String returns "http", "jt808" or "".
func (s FixSource) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}

// Fix is one position report of a device: personal data when the device is a person's, kept
// only as long as the track retention allows.
type Fix struct {
	Device   string
	Time     time.Time // when the position was taken (not when it arrived)
	Point    orb.Point // CGCS2000 lon/lat
	Speed    float32   // m/s over ground; 0 when unknown
	Heading  float32   // degrees clockwise from north, [0, 360); 0 when unknown
	Accuracy float32   // horizontal accuracy in metres; 0 when unknown
	Status   string    // what the device says of itself (free text, e.g. "patrol", "break", "sos")
	Alarm    uint32    // JT/T 808 alarm flags (报警标志); 0 for handsets
	Source   FixSource
}

// TrackStore keeps the tracks of devices: every fix, by device and time, for a retention the
// caller enforces with Prune. The SQLite backend keeps them in a file of their own
// (data/sqlite.OpenTracks); every backend passes storetest.RunTracks. Implementations are safe
// for concurrent use.
type TrackStore interface {
	// Append stores fixes and is durable when it returns nil: an acknowledged fix survives a
	// kill of the process. A fix whose device and time are already stored (a terminal's
	// re-send) is kept once, the first written.
	Append(ctx context.Context, fixes []Fix) error
	// Track returns the fixes of device with from ≤ Time < to, in time order, one per time.
	Track(ctx context.Context, device string, from, to time.Time) ([]Fix, error)
	// Latest returns the newest fix (by Time) of every device with a stored fix, in no order.
	Latest(ctx context.Context) ([]Fix, error)
	// Prune deletes every fix older than before and returns how many it deleted.
	Prune(ctx context.Context, before time.Time) (int64, error)
	// Close releases the store.
	Close() error
}

// TrackChanges is a TrackStore shared by processes (the replicas of one database): it numbers
// every appended fix in commit order, so each process can show the fixes the others stored.
// data/postgis.Tracks implements it; every implementation passes storetest.RunTrackChanges.
type TrackChanges interface {
	TrackStore
	// TrackCursor returns the number of the newest fix appended so far: a follower starting now
	// asks for the fixes after it.
	TrackCursor(ctx context.Context) (int64, error)
	// FixesAfter returns up to limit fixes appended after cursor, in commit order, and the
	// cursor to ask from next (cursor itself when there are none). A fix appended once is
	// returned once, whoever appended it.
	FixesAfter(ctx context.Context, cursor int64, limit int) ([]Fix, int64, error)
}
