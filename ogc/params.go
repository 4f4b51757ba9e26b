package ogc

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Paging limits of the items resource. A limit above MaxLimit is served as MaxLimit (the
// standard forbids refusing it); GDAL asks for its PAGE_SIZE.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// The errors a Catalog returns for what the client named: an unknown collection or feature
// (the API answers 404) and a bad parameter (a *ParamError, 400).
var (
	ErrNoCollection = errors.New("no such collection")
	ErrNoFeature    = errors.New("no such feature")
)

// ParamError is a query parameter the service cannot take: which one, and why.
type ParamError struct {
	Param   string
	Message string
}

// Error names the parameter and what is wrong with it.
func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

func paramErr(param, format string, args ...any) *ParamError {
	return &ParamError{Param: param, Message: fmt.Sprintf(format, args...)}
}

// ParseBBox reads a bbox parameter: four numbers (lower-left axis 1, axis 2, upper-right axis
// 1, axis 2) or six (with heights, which are dropped: the city is 2D), in the axis order of the
// bbox CRS. The first axis may run backwards only where it is longitude (a box across the
// antimeridian); the caller decides, so only finiteness and count are checked here.
func ParseBBox(s string) ([4]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return [4]float64{}, paramErr("bbox", "%q: want 4 numbers (or 6 with heights) separated by commas", s)
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return [4]float64{}, paramErr("bbox", "%q is not a number", p)
		}
		v[i] = f
	}
	if len(v) == 6 {
		if v[2] > v[5] {
			return [4]float64{}, paramErr("bbox", "lower height %v is above upper height %v", v[2], v[5])
		}
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	return [4]float64{v[0], v[1], v[2], v[3]}, nil
}

// Interval is a datetime parameter: an instant (Start equal to End) or an interval whose open
// ends are zero times ("../2024-01-01", "2024-01-01/..").
type Interval struct {
	Start, End time.Time
}

// Meets reports whether the half-open feature interval [from, to) — an instant when from equals
// to — shares a moment with the closed interval iv.
func (iv Interval) Meets(from, to time.Time) bool {
	if !iv.End.IsZero() && from.After(iv.End) {
		return false
	}
	if iv.Start.IsZero() {
		return true
	}
	if to.Equal(from) {
		return !from.Before(iv.Start)
	}
	return to.After(iv.Start)
}

// ParseDatetime reads a datetime parameter: an RFC 3339 date-time, a date (the whole day in
// UTC), or an interval of two of them separated by "/", either end ".." or empty for open.
func ParseDatetime(s string) (Interval, error) {
	a, b, isInterval := strings.Cut(s, "/")
	if !isInterval {
		start, end, err := parseInstant(a)
		if err != nil {
			return Interval{}, err
		}
		return Interval{Start: start, End: end}, nil
	}
	var iv Interval
	open := func(x string) bool { return x == "" || x == ".." }
	if open(a) && open(b) {
		return Interval{}, paramErr("datetime", "%q: an interval needs at least one end", s)
	}
	if !open(a) {
		start, _, err := parseInstant(a)
		if err != nil {
			return Interval{}, err
		}
		iv.Start = start
	}
	if !open(b) {
		_, end, err := parseInstant(b)
		if err != nil {
			return Interval{}, err
		}
		iv.End = end
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.End.Before(iv.Start) {
		return Interval{}, paramErr("datetime", "%q: the interval ends before it starts", s)
	}
	return iv, nil
}

// parseInstant reads one end: a date-time is an instant, a date spans its day (the last
// nanosecond included), so "2024-05-01" as an end takes in the whole of May 1st.
func parseInstant(s string) (start, end time.Time, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, t.Add(24*time.Hour - time.Nanosecond), nil
	}
	return time.Time{}, time.Time{}, paramErr("datetime", "%q: want an RFC 3339 date-time (2024-05-01T08:00:00Z), a date, or an interval start/end with .. for an open end", s)
}

// parseLimit reads limit: an integer of at least 1; above MaxLimit it is MaxLimit.
func parseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, paramErr("limit", "%q: want an integer of at least 1", s)
	}
	return min(n, MaxLimit), nil
}

// parseOffset reads offset, the position of the first feature of a page (the next links carry
// it).
func parseOffset(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, paramErr("offset", "%q: want an integer of at least 0", s)
	}
	return n, nil
}
