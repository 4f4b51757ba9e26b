package dispatch

import "errors"

// The kinds of bad input, matched with errors.Is on an *InputError. The HTTP layer maps them to
// a status: ErrUnknownComponent to 404, ErrOutside to 422, the rest to 400.
var (
	ErrUnknownClass     = errors.New("unknown class")
	ErrBadTime          = errors.New("malformed time")
	ErrOutside          = errors.New("coordinate outside the city")
	ErrUnknownComponent = errors.New("unknown component id")
	ErrNoPosition       = errors.New("no coordinate or address")
	ErrBadCoordinate    = errors.New("bad coordinate")
	ErrAddressNotFound  = errors.New("address not found")
	ErrNoGeocoder       = errors.New("address lookup not configured")
	ErrBadInput         = errors.New("bad input")
)

// InputError names the request field at fault. Err is one of the sentinels above (or wraps
// one), so errors.Is works on the *InputError.
type InputError struct {
	Field  string // JSON field name: "class", "time", "point", "component", "address" …
	Reason string // detail for the message; may be ""
	Err    error
}

// Error names the field, then the sentinel, then the detail.
func (e *InputError) Error() string {
	msg := e.Field + ": " + e.Err.Error()
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(field string, sentinel error, reason string) *InputError {
	return &InputError{Field: field, Reason: reason, Err: sentinel}
}
