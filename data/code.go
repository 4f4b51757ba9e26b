package data

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// AreaLevel is the administrative level of an Area, implied by the length of its code.
type AreaLevel int

// The three area levels a unit grid hangs under.
const (
	District  AreaLevel = 1 // 区县, 6 digits (GB/T 2260)
	Street    AreaLevel = 2 // 街道/乡镇, 9 digits
	Community AreaLevel = 3 // 社区/村, 12 digits
)

// String returns the English name of the level.
func (l AreaLevel) String() string {
	switch l {
	case District:
		return "district"
	case Street:
		return "street"
	case Community:
		return "community"
	}
	return fmt.Sprintf("AreaLevel(%d)", int(l))
}

// Chinese returns the Chinese name of the level.
func (l AreaLevel) Chinese() string {
	switch l {
	case District:
		return "区县"
	case Street:
		return "街道"
	case Community:
		return "社区"
	}
	return ""
}

// CodeLen is the number of digits of an area code at this level.
func (l AreaLevel) CodeLen() int {
	switch l {
	case District:
		return 6
	case Street:
		return 9
	case Community:
		return 12
	}
	return 0
}

// ErrCode is matched by every *CodeError.
var ErrCode = errors.New("invalid code")

// CodeError says which digit group of an identifier is wrong and why.
type CodeError struct {
	Kind   string // "area", "grid", "component"
	Code   string // the input as given
	Group  string // the digit group at fault: length, digits, province, district, street, community, major, minor, sequence
	Pos    int    // 0-based offset of the group in Code, -1 when the whole code is at fault
	Len    int    // number of digits in the group
	Reason string
}

// Error names the code, the digit group at fault (with its digits) and why.
func (e *CodeError) Error() string {
	if e.Pos >= 0 && e.Len > 0 {
		return fmt.Sprintf("%s code %q: %s (digits %d-%d): %s", e.Kind, e.Code, e.Group, e.Pos+1, e.Pos+e.Len, e.Reason)
	}
	return fmt.Sprintf("%s code %q: %s: %s", e.Kind, e.Code, e.Group, e.Reason)
}

// Is makes errors.Is(err, ErrCode) true for every CodeError.
func (e *CodeError) Is(target error) bool { return target == ErrCode }

func codeErr(kind, code, group string, pos, n int, format string, args ...any) error {
	return &CodeError{Kind: kind, Code: code, Group: group, Pos: pos, Len: n, Reason: fmt.Sprintf(format, args...)}
}

// firstNonDigit returns the index of the first byte of s that is not an ASCII digit, or -1.
func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

// badRune returns the (possibly multi-byte) character at byte offset i.
func badRune(s string, i int) rune {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func allZero(s string) bool { return strings.Trim(s, "0") == "" }

// ParseAreaCode checks an area code and returns its level: 6 digits is a district, 9 a street,
// 12 a community. The 2-digit province and city groups and the street/community groups may not
// be all zeros.
func ParseAreaCode(code string) (AreaLevel, error) {
	const kind = "area"
	if i := firstNonDigit(code); i >= 0 {
		return 0, codeErr(kind, code, "digits", i, 1, "character %q is not a digit", badRune(code, i))
	}
	var lvl AreaLevel
	switch len(code) {
	case 6:
		lvl = District
	case 9:
		lvl = Street
	case 12:
		lvl = Community
	default:
		return 0, codeErr(kind, code, "length", -1, 0, "has %d digits, want 6 (district), 9 (street) or 12 (community)", len(code))
	}
	if err := checkAdminPrefix(kind, code, lvl); err != nil {
		return 0, err
	}
	return lvl, nil
}

// checkAdminPrefix validates the district/street/community groups of the first lvl.CodeLen() digits.
func checkAdminPrefix(kind, code string, lvl AreaLevel) error {
	if code[0:2] == "00" {
		return codeErr(kind, code, "province", 0, 2, "province digits %q are not a GB/T 2260 province", code[0:2])
	}
	if code[4:6] == "00" && lvl > District {
		return codeErr(kind, code, "district", 4, 2, "%q is a city code (county digits 00), not a district", code[0:6])
	}
	if lvl >= Street && allZero(code[6:9]) {
		return codeErr(kind, code, "street", 6, 3, "street digits are 000")
	}
	if lvl >= Community && allZero(code[9:12]) {
		return codeErr(kind, code, "community", 9, 3, "community digits are 000")
	}
	return nil
}

// Parent returns the code of the area one level up ("" for a district or an invalid code).
func Parent(code string) string {
	switch len(code) {
	case 12:
		return code[:9]
	case 9:
		return code[:6]
	}
	return ""
}

// GridCodeOptions says which grid code forms are accepted.
type GridCodeOptions struct {
	// AllowLegacy14 accepts the CJ/T 213-2005 form: community 12 digits + 2-digit sequence.
	AllowLegacy14 bool
}

// ParseGridCode checks a unit grid code: 15 digits = community code (12) + sequence (3), or,
// when opts allow it, the legacy 14-digit form. It returns the community code.
func ParseGridCode(code string, opts GridCodeOptions) (community string, err error) {
	const kind = "grid"
	if i := firstNonDigit(code); i >= 0 {
		return "", codeErr(kind, code, "digits", i, 1, "character %q is not a digit", badRune(code, i))
	}
	switch {
	case len(code) == 15:
	case len(code) == 14 && opts.AllowLegacy14:
	case len(code) == 14:
		return "", codeErr(kind, code, "length", -1, 0, "has 14 digits (legacy CJ/T 213 form), which this deployment does not accept; want 15 = community 12 + sequence 3")
	default:
		return "", codeErr(kind, code, "length", -1, 0, "has %d digits, want 15 = community 12 + sequence 3", len(code))
	}
	if err := checkAdminPrefix(kind, code, Community); err != nil {
		return "", err
	}
	if allZero(code[12:]) {
		return "", codeErr(kind, code, "sequence", 12, len(code)-12, "sequence is all zeros")
	}
	return code[:12], nil
}

// Scheme is a component identifier and class catalog standard. Like Status it is a one-byte
// code that every component carries, read and written as its name ("CJ/T 214-2007"); the zero
// Scheme is none (or unknown) and writes as "".
type Scheme uint8

// The two component schemes in use: most deployed data is CJ/T 214-2007; new surveys follow
// GB/T 47678.5-2026.
const (
	CJT214  Scheme = iota + 1 // CJ/T 214-2007
	GBT4767                   // GB/T 47678.5-2026
)

// schemeNames are the schemes' names, by code.
var schemeNames = []string{"", "CJ/T 214-2007", "GB/T 47678.5-2026"}

// ParseScheme accepts a scheme's name ("CJ/T 214-2007", "GB/T 47678.5-2026") or "" for none.
func ParseScheme(s string) (Scheme, error) {
	for i, name := range schemeNames {
		if s == name {
			return Scheme(i), nil
		}
	}
	return 0, fmt.Errorf("scheme %q: want %q or %q", s, CJT214, GBT4767)
}

// String returns the scheme's name, "" for none.
func (s Scheme) String() string { return codeName(s, schemeNames, "Scheme") }

// MarshalText writes the scheme's name, "" for none.
func (s Scheme) MarshalText() ([]byte, error) { return marshalCode(s, schemeNames, "scheme") }

// UnmarshalText reads what ParseScheme accepts.
func (s *Scheme) UnmarshalText(b []byte) error { return unmarshalCode(s, b, schemeNames, ParseScheme) }

// MinorLen is the number of digits of a minor class code in the scheme.
func (s Scheme) MinorLen() int {
	if s == GBT4767 {
		return 3
	}
	return 2
}

// IDLen is the number of digits of a component identifier in the scheme.
func (s Scheme) IDLen() int { return 6 + 2 + s.MinorLen() + 6 }

// ComponentCode is a parsed component identifier.
type ComponentCode struct {
	ID       string
	Scheme   Scheme
	District string // 6-digit admin code
	Major    string // 2 digits
	Minor    string // 2 (CJ/T 214) or 3 (GB/T 47678.5) digits
	Sequence string // 6 digits
}

// Class returns the class key: major + minor ("0118", "01037").
func (c ComponentCode) Class() string {
	// A parsed code's class is digits 7 to 10 (or 11) of its ID: a slice of it rather than a
	// new string, one allocation less for each component an import checks.
	if n := 8 + len(c.Minor); len(c.ID) > n && c.ID[6:8] == c.Major && c.ID[8:n] == c.Minor {
		return c.ID[6:n]
	}
	return c.Major + c.Minor
}

// ParseComponentID checks a component identifier: 16 digits = admin 6 + major 2 + minor 2 +
// sequence 6 (CJ/T 214-2007) or 17 digits = admin 6 + major 2 + minor 3 + sequence 6
// (GB/T 47678.5-2026). The class must exist in the scheme's catalog.
func ParseComponentID(id string) (ComponentCode, error) {
	const kind = "component"
	if i := firstNonDigit(id); i >= 0 {
		return ComponentCode{}, codeErr(kind, id, "digits", i, 1, "character %q is not a digit", badRune(id, i))
	}
	var s Scheme
	switch len(id) {
	case 16:
		s = CJT214
	case 17:
		s = GBT4767
	default:
		return ComponentCode{}, codeErr(kind, id, "length", -1, 0, "has %d digits, want 16 (CJ/T 214-2007: admin 6 + major 2 + minor 2 + sequence 6) or 17 (GB/T 47678.5-2026: admin 6 + major 2 + minor 3 + sequence 6)", len(id))
	}
	if err := checkAdminPrefix(kind, id, District); err != nil {
		return ComponentCode{}, err
	}
	m := s.MinorLen()
	c := ComponentCode{ID: id, Scheme: s, District: id[:6], Major: id[6:8], Minor: id[8 : 8+m], Sequence: id[8+m:]}
	cat := CatalogFor(s)
	if _, ok := cat.Major(c.Major); !ok {
		return ComponentCode{}, codeErr(kind, id, "major", 6, 2, "major class %s is not a component class of %s", c.Major, s)
	}
	if _, ok := cat.Class(c.Class()); !ok {
		return ComponentCode{}, codeErr(kind, id, "minor", 8, m, "minor class %s does not exist under major %s (%s) in %s", c.Minor, c.Major, cat.MajorName(c.Major), s)
	}
	if allZero(c.Sequence) {
		return ComponentCode{}, codeErr(kind, id, "sequence", 8+m, 6, "sequence is all zeros")
	}
	return c, nil
}
