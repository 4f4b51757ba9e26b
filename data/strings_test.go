package data

import (
	"testing"
	"unsafe"
)

func TestTwoDigitCodesAreStatic(t *testing.T) {
	inStatic := func(s string) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(twoDigits)))
		return len(s) > 0 && p >= lo && p < lo+uintptr(len(twoDigits))
	}
	var st Strings
	for _, tc := range []struct {
		in     string
		static bool
	}{
		{"00", true}, {"07", true}, {"42", true}, {"99", true},
		{"0", false}, {"007", false}, {"0a", false}, {"a0", false}, {"/0", false}, {":0", false}, {"", false},
	} {
		for name, got := range map[string]string{"Intern": Intern(tc.in), "Strings.Intern": st.Intern([]byte(tc.in))} {
			if got != tc.in {
				t.Errorf("%s(%q) = %q", name, tc.in, got)
			}
			if inStatic(got) != tc.static {
				t.Errorf("%s(%q) held in the static table: %v, want %v", name, tc.in, inStatic(got), tc.static)
			}
		}
	}
}

func TestStringsInternDigitCodes(t *testing.T) {
	var st Strings
	codes := []string{"440303001001001", "0440303001001001"[:15], "1", "01", "001", "0", "00", "000000000000000", "999999999999999",
		"440303001001002", "4403030010010011", "44030300100100a", "123"}
	first := map[string]string{}
	for range 2 {
		for _, c := range codes {
			got := st.Intern([]byte(c))
			if got != c {
				t.Fatalf("Intern(%q) = %q", c, got)
			}
			if f, ok := first[c]; ok && unsafe.StringData(f) != unsafe.StringData(got) {
				t.Errorf("Intern(%q) made a second copy", c)
			}
			first[c] = got
		}
	}
}

func TestStringsInternAllocatesOnlyNewText(t *testing.T) {
	var st Strings
	for _, b := range [][]byte{[]byte("440303001001001"), []byte("实测"), []byte("1234567890123456")} {
		st.Intern(b)
		if n := testing.AllocsPerRun(100, func() { st.Intern(b) }); n != 0 {
			t.Errorf("Intern(%q) of text already held: %v allocations", b, n)
		}
	}
}
