package export

import (
	"fmt"
	"sync"

	"citygeo/data"
	"citygeo/schema"
)

// GB47678 is the GB/T 47678.5-2026 exchange profile: components under the abbreviations of
// the standard's 表2 (Table47678Components lists them), with 17-digit ids (a 16-digit CJ/T 214
// id is rewritten by ClassMap47678), and unit grids. The standard's grid table is in GB/T
// 47678.3, which shared/reference/standards.md does not have: the grid columns (DYWGBSM,
// SZSQDM, MJ) are this project's choice, the abbreviations the importer already reads.
// Columns a component carries beyond the table (its Extra) are written under their own names,
// as the standard's local extension attributes (§4.4.2).
var GB47678 = Profile{Name: "gb47678", Layers: map[schema.Kind][]Column{
	schema.Component: {
		{Key: "id", Name: "GLBJBSM", Type: schema.Text, Convert: To47678},
		{Key: "name", Name: "GLBJMC", Type: schema.Text},
		{Key: "owner_code", Name: "ZGBMDM", Type: schema.Text},
		{Key: "owner_name", Name: "ZGBMMC", Type: schema.Text},
		{Key: "property_code", Name: "QSDWDM", Type: schema.Text},
		{Key: "property_name", Name: "QSDWMC", Type: schema.Text},
		{Key: "maintainer_code", Name: "YHDWDM", Type: schema.Text},
		{Key: "maintainer_name", Name: "YHDWMC", Type: schema.Text},
		{Key: "grid", Name: "SZDYWGBSM", Type: schema.Text},
		{Key: "status", Name: "GLBJZT", Type: schema.Text},
		{Key: "init_date", Name: "CSRQ", Type: schema.Date},
		{Key: "change_date", Name: "BGRQ", Type: schema.Date},
		{Key: "source", Name: "SJLY", Type: schema.Text},
		{Key: "note", Name: "BZ", Type: schema.Text},
		{Key: KeyStreetCode, Name: "SZJDDM", Type: schema.Text},
		{Key: KeyStreetName, Name: "SZJDMC", Type: schema.Text},
		{Key: KeyCommunityCode, Name: "SZSQDM", Type: schema.Text},
		{Key: KeyCommunityName, Name: "SZSQMC", Type: schema.Text},
	},
	schema.Grid: {
		{Key: "code", Name: "DYWGBSM", Type: schema.Text},
		{Key: "community", Name: "SZSQDM", Type: schema.Text},
		{Key: "area_m2", Name: "MJ", Type: schema.Number},
	},
}}

// StandardField is one row of a table of GB/T 47678.5: the abbreviation, the Chinese name,
// the length in characters (0: a date) and whether it is mandatory (M), optional (O) or
// conditional (C).
type StandardField struct {
	Abbr, Name string
	Length     int
	Obligation string
}

// Table47678Components is GB/T 47678.5-2026 表2 (管理部件属性), as transcribed in
// shared/reference/standards.md §2.6 (one source; the purchased standard wins). The lengths
// of the name columns other than ZGBMMC are not in the transcription and are given as 100 by
// analogy.
var Table47678Components = []StandardField{
	{"GLBJBSM", "管理部件标识码", 17, "M"},
	{"GLBJMC", "管理部件名称", 30, "M"},
	{"ZGBMDM", "主管部门代码", 18, "M"},
	{"ZGBMMC", "主管部门名称", 100, "M"},
	{"QSDWDM", "权属单位代码", 18, "O"},
	{"QSDWMC", "权属单位名称", 100, "O"},
	{"YHDWDM", "养护单位代码", 18, "O"},
	{"YHDWMC", "养护单位名称", 100, "O"},
	{"SZDYWGBSM", "所在单元网格标识码", 15, "M"},
	{"GLBJZT", "管理部件状态", 10, "M"},
	{"CSRQ", "初始日期", 0, "M"},
	{"BGRQ", "变更日期", 0, "C"},
	{"SJLY", "数据来源", 10, "O"},
	{"BZ", "备注", 1000, "O"},
	{"SZJDDM", "所在街道代码", 9, "O"},
	{"SZJDMC", "所在街道名称", 100, "O"},
	{"SZSQDM", "所在社区代码", 12, "O"},
	{"SZSQMC", "所在社区名称", 100, "O"},
}

// ClassMap47678 maps each CJ/T 214-2007 component class to its GB/T 47678.5-2026 class by
// name, from the two class lists of shared/reference/standards.md §2.3 and §2.5: "name" where
// both lists spell the class alike, "synonym" where the newer list renames it (通讯 → 通信,
// 上水 → 供水, 坐椅 → 座椅 …), "none" where GB/T 47678.5 has no such component (人防工事,
// 重大危险源, 工地), whose components cannot be exchanged under a 17-digit id. One line per
// class: CJ/T 214 code, GB/T 47678.5 code (----- for none), how, the names.
const ClassMap47678 = `
0101 01001 synonym 上水井盖 → 供水井盖
0102 01002 name    污水井盖
0103 01003 name    雨水井盖
0104 01004 name    雨水箅子
0105 01005 name    电力井盖
0106 01006 name    路灯井盖
0107 01007 synonym 通讯井盖 → 通信井盖
0108 01008 name    电视井盖
0109 01009 name    网络井盖
0110 01010 name    热力井盖
0111 01011 name    燃气井盖
0112 01012 name    公安井盖
0113 01013 name    消防设施
0114 01023 synonym 无主井盖 → 不明井盖
0115 01027 synonym 通讯交接箱 → 通信交接箱
0116 01028 name    电力设施
0117 01034 synonym 立杆 → 不明立杆
0118 01037 name    路灯
0119 01038 name    地灯
0120 01039 name    景观灯
0121 01040 name    报刊亭
0122 01041 name    电话亭
0123 01042 name    邮筒
0124 01043 name    信息亭
0125 01045 name    自动售货机
0126 01046 synonym 健身设施 → 户外健身设施
0127 01019 name    中水井盖
0128 01020 name    公交井盖
0129 01021 name    输油(气)井盖
0130 01022 name    特殊井盖
0131 01024 synonym 民用水井 → 水井
0132 01025 name    供水器
0133 01047 name    高压线铁塔
0134 01048 name    变压器(箱)
0135 01049 name    燃气调压站(箱)
0136 01050 synonym 监控电子眼 → 监控电子眼设施
0137 01044 name    售货亭
0138 01051 name    治安岗亭
0201 02001 name    停车场
0202 02003 synonym 停车咪表 → 停车计费设备
0203 02004 synonym 公交站亭 → 公交站设施
0204 02005 synonym 出租车站牌 → 出租车停靠站
0205 02006 name    过街天桥
0206 02007 name    地下通道
0207 02008 synonym 高架立交桥 → 立交桥
0208 02009 name    跨河桥
0209 02010 synonym 交通标志牌 → 交通标志牌及标线
0210 02014 name    交通信号灯
0211 02017 name    交通护栏
0212 02027 name    存车支架
0213 02012 name    路名牌
0214 02015 name    交通信号设施
0215 02023 name    道路信息显示屏
0216 02024 name    道路隔音屏
0217 02016 name    交通岗亭
0301 03001 name    公共厕所
0302 03003 name    化粪池
0303 03002 name    公厕指示牌
0304 03004 name    垃圾间(楼)
0305 03005 name    垃圾箱
0306 03006 synonym 灯箱霓虹灯 → 户外广告
0307 03007 synonym 广告牌匾 → 牌匾标识
0308 03010 name    环保监测站
0309 03009 name    气象监测站
0310 03011 name    污水口监测站
0311 03013 name    噪声显示屏
0401 04001 name    古树名木
0402 04002 name    行道树
0403 04004 name    护树设施
0404 04005 name    花架花钵
0405 04013 name    绿地
0406 04006 name    雕塑
0407 04007 synonym 街头坐椅 → 街头座椅
0408 04008 name    绿地护栏
0409 04009 synonym 绿地维护设施 → 绿地附属设施
0410 04010 name    喷泉
0501 03008 name    宣传栏
0502 ----- none    人防工事
0503 05002 name    公房地下室
0601 ----- none    重大危险源
0602 ----- none    工地
0603 01069 name    水域附属设施
0604 01070 name    水域护栏
0605 02031 name    港监设施
0606 01071 name    防汛墙
`

// ClassMapping is one line of ClassMap47678.
type ClassMapping struct {
	CJT, GBT string // class codes; GBT is "" when GB/T 47678.5 has no such class
	By       string // "name", "synonym" or "none"
	Names    string // the CJ/T 214 name, and "→ the GB/T 47678.5 name" for a synonym
}

// ClassMappings parses ClassMap47678, in its order.
var ClassMappings = sync.OnceValue(func() []ClassMapping { return parseClassMap(ClassMap47678) })

var classTo47678 = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, m := range ClassMappings() {
		out[m.CJT] = m.GBT
	}
	return out
})

// To47678 returns the 17-digit GB/T 47678.5 id of a component: a 16-digit CJ/T 214 id gets its
// class rewritten by ClassMap47678 (admin 6, sequence 6 kept); a 17-digit id is kept. An id
// of a class GB/T 47678.5 lacks, or that is no component id, is an error.
func To47678(id string) (string, error) {
	cc, err := data.ParseComponentID(id)
	if err != nil {
		return "", err
	}
	if cc.Scheme == data.GBT4767 {
		return id, nil
	}
	gbt, ok := classTo47678()[cc.Class()]
	if !ok || gbt == "" {
		name := data.CatalogFor(data.CJT214).MajorName(cc.Major)
		if cl, ok := data.CatalogFor(data.CJT214).Class(cc.Class()); ok {
			name = cl.Name
		}
		return "", fmt.Errorf("component class %s (%s) has no GB/T 47678.5 class (see export.ClassMap47678)", cc.Class(), name)
	}
	return id[:6] + gbt + id[10:], nil
}
