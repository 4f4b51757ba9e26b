package export

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"citygeo/data"
	"citygeo/schema"
)

// EventLayer is the name of the layer of events (事项) an exchange export carries beside the
// dataset's layers; the importer skips it (schema.NotDataset).
const EventLayer = schema.EventLayer

// Table47678Events is GB/T 47678.5-2026 表3 (事项), as transcribed in
// shared/reference/standards.md §2.6; the name's length is not in the transcription.
var Table47678Events = []StandardField{
	{"SXDM", "事项代码", 11, "M"},
	{"SXMC", "事项名称", 100, "M"},
	{"ZGBMDM", "主管部门代码", 18, "M"},
	{"ZGBMMC", "主管部门名称", 100, "M"},
	{"SFWZ", "事发位置", 256, "M"},
	{"SZDYWGBSM", "所在单元网格标识码", 15, "M"},
}

// eventExtension are the columns an event carries beyond 表3, as local extension attributes
// (§4.4.2): the case number that identifies it, its times, whether it is closed and the
// component it concerns (17 digits).
var eventExtension = []Column{
	{Name: "AJBH", Type: schema.Text},    // 案件编号
	{Name: "SBSJ", Type: schema.Instant}, // 上报时间
	{Name: "JASJ", Type: schema.Instant}, // 结案时间
	{Name: "AJZT", Type: schema.Text},    // open / closed
	{Name: "GLBJBSM", Type: schema.Text}, // the component, when bound
	{Name: "SJLY", Type: schema.Text},    // 监督员上报, 公众举报 …
	{Name: "SZSQDM", Type: schema.Text},  // community at report time
	{Name: "SZJDDM", Type: schema.Text},  // street at report time
}

// EventClassMap47678 maps each CJ/T 214-2007 event class (事件) to its GB/T 47678.5-2026 事项
// class, by name, from the lists of shared/reference/standards.md §2.4 and §2.5, as
// ClassMap47678 does for components. GB/T 47678.5 has no 突发事件 class; several of those and a
// few others have no counterpart ("none"). A component class as an event's class (a broken
// lamp) maps by ClassMap47678 to the 事项 of the same code (路灯 → 01037 路灯异常).
const EventClassMap47678 = `
0101 06001 name    私搭乱建
0102 06010 name    暴露垃圾
0103 06011 name    积存垃圾渣土
0104 06012 name    道路不洁
0105 06025 name    水域不洁
0106 06017 name    绿地脏乱
0107 06034 name    废弃车辆
0108 06035 name    废弃家具设备
0109 06019 synonym 非装饰性树挂 → 非装饰性吊挂
0110 06013 name    道路破损
0111 06023 synonym 河堤破损 → 堤岸破损
0112 06014 synonym 道路遗撒 → 道路遗撒(洒)
0113 06004 synonym 建筑物外立面不洁 → 建筑物外立面污损
0114 06024 synonym 水域秩序问题 → 水域秩序乱象
0115 06020 synonym 焚烧树叶垃圾 → 焚烧垃圾、树叶
0116 06027 name    油烟污染
0117 06037 synonym 动物尸体清理 → 动物尸体
0118 06038 synonym 私自饲养家禽家畜 → 擅自饲养家禽家畜
0199 ----- none    其他
0201 07001 name    非法小广告
0202 07003 synonym 违章张贴悬挂广告牌匾 → 违规户外广告
0203 07003 synonym 占道广告牌 → 违规户外广告
0204 07002 name    街头散发广告
0205 ----- none    广告招牌破损
0301 08001 name    施工扰民
0302 08004 name    工地扬尘
0303 08005 name    施工废弃料
0304 08002 name    施工占道
0305 08003 name    无证掘路
0401 ----- none    路面塌陷
0402 ----- none    自来水管破裂
0403 ----- none    燃气管道破裂
0404 ----- none    下水道堵塞或破损
0405 ----- none    热力管道破裂
0406 ----- none    道路积水
0407 10001 synonym 道路积雪结冰 → 道路积雪、结冰
0408 10002 synonym 架空线缆损坏 → 架空线缆脱落
0409 ----- none    群发性事件
0501 09001 name    无照经营游商
0502 09003 name    流浪乞讨
0503 09004 synonym 占道废品收购 → 废品收购乱象
0504 09005 name    店外经营
0505 09009 name    机动车乱停放
0506 09010 name    非机动车乱停放
0507 06036 synonym 乱堆物堆料 → 乱堆杂物
0508 06028 synonym 商业噪音 → 噪声扰民
0509 ----- none    黑车拉客
0510 06029 name    露天烧烤
0511 06007 name    沿街晾挂
0512 09008 name    非法出版物销售
0513 06009 name    空调室外机低挂
`

// EventClassMappings parses EventClassMap47678, in its order.
var EventClassMappings = sync.OnceValue(func() []ClassMapping { return parseClassMap(EventClassMap47678) })

var eventTo47678 = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, m := range EventClassMappings() {
		out[m.CJT] = m.GBT
	}
	return out
})

// EventClass47678 returns the GB/T 47678.5 事项 class (5 digits) of an event's class.
func EventClass47678(c data.ClassRef) (string, error) {
	switch {
	case c.Scheme == data.GBT4767 && len(c.Code) == 5:
		return c.Code, nil
	case c.Kind == data.KindComponent && len(c.Code) == 4:
		if gbt := classTo47678()[c.Code]; gbt != "" {
			return gbt, nil
		}
	case len(c.Code) == 4:
		if gbt := eventTo47678()[c.Code]; gbt != "" {
			return gbt, nil
		}
	}
	return "", fmt.Errorf("event class %s %s has no GB/T 47678.5 事项 class (see export.EventClassMap47678)", c.Kind, c.Code)
}

// Events47678 is the events as the exchange profile's event layer (表3 and the extension
// columns), points in CGCS2000. The district of an event's 11-digit 事项代码 is the first six
// digits of its district, street, community or grid code, whichever it has. An event of a
// class GB/T 47678.5 lacks is an error naming the case.
func Events47678(events []*data.Event) (Table, error) {
	t := Table{Name: EventLayer}
	for _, f := range Table47678Events {
		t.Columns = append(t.Columns, Column{Name: f.Abbr, Type: schema.Text})
	}
	t.Columns = append(t.Columns, eventExtension...)
	gbt := data.CatalogFor(data.GBT4767)
	for _, e := range events {
		code, err := EventClass47678(e.Class)
		if err != nil {
			return Table{}, fmt.Errorf("event %s: %w: %w", e.ID, ErrUnwritable, err)
		}
		district := firstN(6, e.District, e.Street, e.Community, e.Grid)
		if district == "" {
			return Table{}, fmt.Errorf("event %s: %w: no district, street, community or grid to take the 事项代码's district from", e.ID, ErrUnwritable)
		}
		name := ""
		if cl, ok := gbt.Event(code); ok {
			name = cl.Name
		}
		v := map[string]string{"SXDM": district + code, "SXMC": name, "ZGBMDM": e.Department.Code, "ZGBMMC": e.Department.Name,
			"SFWZ": e.Description, "SZDYWGBSM": e.Grid, "AJBH": e.ID, "SBSJ": instant(e.Reported), "JASJ": instant(e.Closed),
			"AJZT": string(e.Status), "SJLY": e.Source, "SZSQDM": e.Community, "SZJDDM": e.Street}
		if e.Component != "" {
			if v["GLBJBSM"], err = To47678(e.Component); err != nil {
				return Table{}, fmt.Errorf("event %s: component: %w: %w", e.ID, ErrUnwritable, err)
			}
		}
		for k, s := range v {
			if s == "" {
				delete(v, k)
			}
		}
		t.Rows = append(t.Rows, Row{Values: v, Geometry: e.Point})
	}
	return t, nil
}

// firstN returns the first n bytes of the first code at least n long.
func firstN(n int, codes ...string) string {
	for _, c := range codes {
		if len(c) >= n {
			return c[:n]
		}
	}
	return ""
}

// instantLayout is how an Instant is written: RFC 3339 in UTC with milliseconds, the one form
// GeoPackage allows in a DATETIME column.
const instantLayout = "2006-01-02T15:04:05.000Z"

// instant writes a time as an Instant, "" for the zero time.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(instantLayout)
}

// parseClassMap reads a class table: "from to by names…" per line, "-----" for none.
func parseClassMap(table string) []ClassMapping {
	var out []ClassMapping
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		f := strings.Fields(line)
		out = append(out, ClassMapping{CJT: f[0], GBT: strings.Trim(f[1], "-"), By: f[2], Names: strings.Join(f[3:], " ")})
	}
	return out
}

// EventsChangedSince returns the events updated (or reported) after t, for a change set after
// a version created at t. Events are no part of a dataset version, so their changes are told
// by time.
func EventsChangedSince(events []*data.Event, t time.Time) []*data.Event {
	var out []*data.Event
	for _, e := range events {
		if e.Updated.After(t) || e.Reported.After(t) {
			out = append(out, e)
		}
	}
	return out
}
