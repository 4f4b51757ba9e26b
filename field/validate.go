package field

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"citygeo/data"
)

// Limits on what a fix may hold.
const (
	MaxDeviceID = 64              // bytes of a device id
	MaxStatus   = 32              // bytes of a status text
	MaxFuture   = 5 * time.Minute // how far ahead of the server's clock a fix time may be (clock skew)
	MaxSpeed    = 150.0           // m/s (540 km/h): faster is a broken receiver
)

// Problem is why one fix of a batch was refused; the rest of the batch is stored.
type Problem struct {
	Index  int    `json:"index"` // position in the batch
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// check returns why f cannot be stored, or nil. oldest is the start of the retention: older
// fixes would be pruned at once, so storing them would only keep personal data past its term.
func (f *Force) check(fx *data.Fix, i int, now, oldest time.Time) *Problem {
	bad := func(field, format string, args ...any) *Problem {
		return &Problem{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	switch {
	case fx.Device == "" || len(fx.Device) > MaxDeviceID || !utf8.ValidString(fx.Device):
		return bad("device", "want an id of 1 to %d bytes of UTF-8", MaxDeviceID)
	case !f.opts.Devices.Allows(fx.Device):
		return bad("device", "unknown device %q", fx.Device)
	case fx.Time.IsZero():
		return bad("time", "missing")
	case fx.Time.After(now.Add(MaxFuture)):
		return bad("time", "%s is in the future", fx.Time.Format(time.RFC3339))
	case fx.Time.Before(oldest):
		return bad("time", "%s is older than the %d-day retention", fx.Time.Format(time.RFC3339), f.opts.RetentionDays)
	case !(fx.Point[0] >= -180 && fx.Point[0] <= 180):
		return bad("lng", "%v is outside [-180, 180]", fx.Point[0])
	case !(fx.Point[1] >= -90 && fx.Point[1] <= 90):
		return bad("lat", "%v is outside [-90, 90]", fx.Point[1])
	case fx.Point[0] == 0 && fx.Point[1] == 0:
		return bad("lng", "0,0 is a receiver without a fix")
	case !finite(fx.Speed) || fx.Speed < 0 || fx.Speed > MaxSpeed:
		return bad("speed", "%v m/s is not in [0, %v]", fx.Speed, MaxSpeed)
	case !finite(fx.Heading) || fx.Heading < 0 || fx.Heading > 360:
		return bad("heading", "%v is not in [0, 360]", fx.Heading)
	case !finite(fx.Accuracy) || fx.Accuracy < 0:
		return bad("accuracy", "%v is not a distance in metres", fx.Accuracy)
	case len(fx.Status) > MaxStatus || !utf8.ValidString(fx.Status):
		return bad("status", "want at most %d bytes of UTF-8", MaxStatus)
	}
	return nil
}
