package data

import "github.com/paulmach/orb"

// Address is a 门(楼)牌: a numbered entrance on a road, lane or alley. Mainland form: road +
// number (建设路18号, 甲18号, 18号之1, 18-1号); Taiwan form: road + 段 + 巷 + 弄 + 號 (+ 之).
type Address struct {
	ID        uint64
	Road      string // road (街路巷) name as signed: 建设路, 和平东路
	Section   string // 段: "三段" ("" when none)
	Lane      string // 巷: "228巷"
	Alley     string // 弄: "7弄"
	Number    int    // the numeric house number: 18 of 甲18号 / 18号之1
	Suffix    string // what qualifies it: "甲", "之1", "-1", "附" ("" when none)
	Full      string // the full address as the source wrote it
	Point     orb.Point
	Community string // 12-digit community code when known
	Source    string // where it came from: "sample", a file name …
}

// Building is a 楼栋 inside a compound (小区/院落): "翠竹苑3栋".
type Building struct {
	ID        uint64
	Compound  string // 小区/大院 name: 翠竹苑
	Name      string // building designation as signed: "3栋", "A座"
	Address   string // the compound's street address, e.g. 翠竹路18号
	Point     orb.Point
	Footprint orb.Polygon // may be nil
}

// POI is a point of interest (兴趣点): a named building, unit, facility or shop.
type POI struct {
	ID       uint64
	Name     string
	Aliases  []string
	Category string
	Address  string // street address as published
	Point    orb.Point
}
