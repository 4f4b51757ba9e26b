package schema_test

import (
	"fmt"

	"citygeo/schema"
)

// ExampleParseHouseNumber reads the number fields of real registers: the number and its
// qualifier as the register spells it.
func ExampleParseHouseNumber() {
	for _, s := range []string{"18號", "1之6", "16-1", "3號之2", "甲12", "１２", "3號4樓", "十八"} {
		n, suffix, ok := schema.ParseHouseNumber(s)
		fmt.Printf("%s → %d %q %v\n", s, n, suffix, ok)
	}
	// Output:
	// 18號 → 18 "" true
	// 1之6 → 1 "之6" true
	// 16-1 → 16 "-1" true
	// 3號之2 → 3 "號之2" true
	// 甲12 → 12 "甲" true
	// １２ → 12 "" true
	// 3號4樓 → 3 "" true
	// 十八 → 0 "" false
}
