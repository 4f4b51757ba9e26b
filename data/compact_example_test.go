package data_test

import (
	"fmt"
	"time"

	"citygeo/data"
)

func ExampleDept() {
	a := data.MakeDept("11440303340007919Y", "深圳市罗湖区城市管理和综合执法局")
	b := data.DeptRef{Code: "11440303340007919Y", Name: "深圳市罗湖区城市管理和综合执法局"}.Dept()
	fmt.Println(a == b, a.Code(), a.Name())
	fmt.Println(data.Dept{}.IsZero(), a.WithName("城管局").Ref())
	// Output:
	// true 11440303340007919Y 深圳市罗湖区城市管理和综合执法局
	// true {11440303340007919Y 城管局}
}

func ExampleDate() {
	d := data.DateOf(time.Date(2024, 7, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600)))
	fmt.Println(d, d.Year(), d.AddDate(0, 1, 0), d.Before(data.MakeDate(2024, time.July, 2)))
	fmt.Println(data.Date(0).IsZero(), data.Date(0).String() == "", data.DateOf(time.Time{}).IsZero())
	// Output:
	// 2024-07-01 2024 2024-08-01 true
	// true true true
}
