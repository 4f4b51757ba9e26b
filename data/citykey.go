package data

import (
	"errors"
	"fmt"
	"strings"
)

// A database may hold several cities, each keyed by a 6-digit GB/T 2260 code: a district
// (330106) or a prefecture-level city (330100) whose districts it holds. The same codes limit a
// token to an area; both read a code's area by its prefix, so they agree on what lies inside.

// ErrOutsideCity is matched by the error of a save whose dataset has a district outside the
// city the store is keyed by.
var ErrOutsideCity = errors.New("district outside the store's city")

// ParseCityKey checks the key of a city: 6 digits whose province digits are not 00.
func ParseCityKey(code string) error {
	if len(code) != 6 || firstNonDigit(code) >= 0 || code[:2] == "00" {
		return fmt.Errorf("city %q: want a 6-digit GB/T 2260 district or city code (330106, 330100)", code)
	}
	return nil
}

// AreaPrefix returns the prefix every code inside the area of a 6-digit code shares, its
// trailing 00 pairs dropped: 440303 → 440303, 440300 → 4403, 440000 → 44.
func AreaPrefix(code string) string {
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

// InArea reports whether code (an area code, grid code or component id, all of which start with
// their district) lies inside the area of the 6-digit code area.
func InArea(area, code string) bool { return strings.HasPrefix(code, AreaPrefix(area)) }

// CheckCity returns an error matching ErrOutsideCity that names the first district of ds not
// inside the area of key, nil when every district is.
func (ds *Dataset) CheckCity(key string) error {
	for _, a := range ds.Areas {
		if a.Level == District && !InArea(key, a.Code) {
			return fmt.Errorf("area %s (%s): %w %s", a.Code, a.Name, ErrOutsideCity, key)
		}
	}
	return nil
}
