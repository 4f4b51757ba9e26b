package data_test

import (
	"errors"
	"fmt"
	"testing"

	"citygeo/data"
)

func TestParseAreaCode(t *testing.T) {
	tests := []struct {
		code      string
		level     data.AreaLevel
		wantGroup string // "" = valid
	}{
		{"440303", data.District, ""},
		{"440303001", data.Street, ""},
		{"440303001001", data.Community, ""},
		{"44030", 0, "length"},
		{"4403030010011", 0, "length"},
		{"44030a", 0, "digits"},
		{"440303００1", 0, "digits"},
		{"000303", 0, "province"},
		{"440300001", 0, "district"},
		{"440303000", 0, "street"},
		{"440303001000", 0, "community"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			lvl, err := data.ParseAreaCode(tt.code)
			checkCodeErr(t, err, tt.wantGroup)
			if err == nil && lvl != tt.level {
				t.Errorf("level = %v, want %v", lvl, tt.level)
			}
		})
	}
}

func TestParseGridCode(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		legacy    bool
		community string
		wantGroup string
	}{
		{"15 digits", "440303001001007", false, "440303001001", ""},
		{"legacy 14 refused", "44030300100107", false, "", "length"},
		{"legacy 14 allowed", "44030300100107", true, "440303001001", ""},
		{"13 digits", "4403030010010", true, "", "length"},
		{"letter", "44030300100100X", false, "", "digits"},
		{"zero sequence", "440303001001000", false, "", "sequence"},
		{"zero community", "440303001000001", false, "", "community"},
		{"zero street", "440303000001001", false, "", "street"},
		{"city not district", "440300001001001", false, "", "district"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := data.ParseGridCode(tt.code, data.GridCodeOptions{AllowLegacy14: tt.legacy})
			checkCodeErr(t, err, tt.wantGroup)
			if err == nil && c != tt.community {
				t.Errorf("community = %q, want %q", c, tt.community)
			}
		})
	}
}

func TestParseComponentID(t *testing.T) {
	tests := []struct {
		name      string
		id        string
		scheme    data.Scheme
		class     string
		wantGroup string
	}{
		{"CJ/T 214 上水井盖 (real Suzhou id)", "3205080101000001", data.CJT214, "0101", ""},
		{"CJ/T 214 污水井盖 (real Zhangjiagang id)", "3205820102048188", data.CJT214, "0102", ""},
		{"CJ/T 214 路灯", "4403030118000012", data.CJT214, "0118", ""},
		{"GB/T 47678.5 路灯", "44030301037000012", data.GBT4767, "01037", ""},
		{"GB/T 47678.5 综合杆", "44030301077000001", data.GBT4767, "01077", ""},
		{"15 digits", "440303011800001", 0, "", "length"},
		{"18 digits", "440303011800000123", 0, "", "length"},
		{"unknown major", "4403030918000012", 0, "", "major"},
		{"unknown minor", "4403030199000012", 0, "", "minor"},
		{"GB/T gap 01016", "44030301016000001", 0, "", "minor"},
		{"zero sequence", "4403030118000000", 0, "", "sequence"},
		{"bad province", "0003030118000012", 0, "", "province"},
		{"non digit", "44030301180000-2", 0, "", "digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := data.ParseComponentID(tt.id)
			checkCodeErr(t, err, tt.wantGroup)
			if err != nil {
				return
			}
			if c.Scheme != tt.scheme || c.Class() != tt.class || c.District != tt.id[:6] {
				t.Errorf("got %+v, want scheme %s class %s", c, tt.scheme, tt.class)
			}
		})
	}
}

func checkCodeErr(t *testing.T, err error, wantGroup string) {
	t.Helper()
	if wantGroup == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ce *data.CodeError
	if !errors.As(err, &ce) || !errors.Is(err, data.ErrCode) {
		t.Fatalf("error = %v, want a *CodeError on group %s", err, wantGroup)
	}
	if ce.Group != wantGroup {
		t.Errorf("group = %q (%v), want %q", ce.Group, err, wantGroup)
	}
}

// TestComponentCodeClass: a parsed code's class is read from its ID; a code built by hand, or
// one whose fields were changed after parsing, still answers major + minor.
func TestComponentCodeClass(t *testing.T) {
	for _, tc := range []struct {
		name string
		code data.ComponentCode
		want string
	}{
		{"parsed CJ/T 214", data.ComponentCode{ID: "4403030118000001", Major: "01", Minor: "18"}, "0118"},
		{"parsed GB/T 47678", data.ComponentCode{ID: "44030301037000001", Major: "01", Minor: "037"}, "01037"},
		{"built by hand", data.ComponentCode{Major: "02", Minor: "09"}, "0209"},
		{"minor changed", data.ComponentCode{ID: "4403030118000001", Major: "01", Minor: "19"}, "0119"},
		{"major changed", data.ComponentCode{ID: "4403030118000001", Major: "02", Minor: "18"}, "0218"},
		{"short id", data.ComponentCode{ID: "44030301", Major: "01", Minor: "18"}, "0118"},
	} {
		if got := tc.code.Class(); got != tc.want {
			t.Errorf("%s: Class() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCatalogs(t *testing.T) {
	tests := []struct {
		scheme      data.Scheme
		code        string
		kind        data.ClassKind
		name        string
		minClasses  int
		minEvents   int
		componentMj int
	}{
		{data.CJT214, "0118", data.KindComponent, "路灯", 80, 40, 6},
		{data.CJT214, "0405", data.KindComponent, "绿地", 80, 40, 6},
		{data.CJT214, "0505", data.KindEvent, "机动车乱停放", 80, 40, 6},
		{data.GBT4767, "01037", data.KindComponent, "路灯", 150, 240, 5},
		{data.GBT4767, "09009", data.KindEvent, "机动车乱停放", 150, 240, 5},
		{data.GBT4767, "01037", data.KindEvent, "路灯异常", 150, 240, 5},
	}
	for _, tt := range tests {
		t.Run(tt.scheme.String()+" "+tt.code, func(t *testing.T) {
			cat := data.CatalogFor(tt.scheme)
			cl, ok := cat.Lookup(tt.code, tt.kind)
			if !ok || cl.Name != tt.name || cl.Kind != tt.kind {
				t.Fatalf("Lookup(%s, %s) = %+v, %v; want %s", tt.code, tt.kind, cl, ok, tt.name)
			}
			var comps, events int
			for _, c := range cat.Classes() {
				if c.Kind == data.KindComponent {
					comps++
				} else {
					events++
				}
				if len(c.Minor) != tt.scheme.MinorLen() {
					t.Errorf("class %s: minor %q has %d digits, want %d", c.Name, c.Minor, len(c.Minor), tt.scheme.MinorLen())
				}
			}
			if comps < tt.minClasses || events < tt.minEvents {
				t.Errorf("%d component and %d event classes, want ≥ %d and ≥ %d", comps, events, tt.minClasses, tt.minEvents)
			}
		})
	}
}

func FuzzParseComponentID(f *testing.F) {
	for _, s := range []string{"3205080101000001", "44030301037000012", "", "4403030199000012", "４４０３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := data.ParseComponentID(s)
		if err != nil {
			var ce *data.CodeError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CodeError", err)
			}
			return
		}
		if c.District+c.Major+c.Minor+c.Sequence != s || len(s) != c.Scheme.IDLen() {
			t.Fatalf("parsed %+v does not reassemble %q", c, s)
		}
	})
}

func FuzzParseGridCode(f *testing.F) {
	for _, s := range []string{"440303001001007", "44030300100107", "x", "440303001001000"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, legacy bool) {
		c, err := data.ParseGridCode(s, data.GridCodeOptions{AllowLegacy14: legacy})
		if err == nil && (len(c) != 12 || c != s[:12]) {
			t.Fatalf("community %q of %q", c, s)
		}
		if _, err := data.ParseAreaCode(s); err == nil && len(s) != 6 && len(s) != 9 && len(s) != 12 {
			t.Fatalf("area code %q accepted with %d digits", s, len(s))
		}
	})
}

func ExampleParseComponentID() {
	c, err := data.ParseComponentID("44030301037000012")
	if err != nil {
		panic(err)
	}
	cl, _ := data.CatalogFor(c.Scheme).Class(c.Class())
	fmt.Println(c.Scheme, c.District, c.Major, c.Minor, c.Sequence, cl.Name)
	_, err = data.ParseComponentID("4403030199000012")
	fmt.Println(err)
	// Output:
	// GB/T 47678.5-2026 440303 01 037 000012 路灯
	// component code "4403030199000012": minor (digits 9-10): minor class 99 does not exist under major 01 (公用设施) in CJ/T 214-2007
}
