package sample

import (
	"fmt"
	"strings"

	"citygeo/data"
)

// The departments that own, hold and maintain components. Names are the real kinds of body
// that do this work in Shenzhen; their 18-character unified social credit codes are synthetic
// (valid GB 32100 check character, made-up organisation digits).
const (
	deptCityMgmt   = iota // 城管局
	deptWater             // 水务局
	deptWaterCo           // 水务集团
	deptPower             // 供电局
	deptTransport         // 交通运输局
	deptTraffic           // 交警大队
	deptTelecom           // 电信
	deptMobile            // 移动
	deptUnicom            // 联通
	deptFire              // 消防救援大队
	deptBus               // 巴士集团
	deptNews              // 报刊发行
	deptParks             // 公园管理中心
	deptSanitation        // 环卫
	nFixedDepts
)

var fixedDepts = [nFixedDepts]struct{ kind, name string }{
	{"11", "深圳市罗湖区城市管理和综合执法局"},
	{"11", "深圳市罗湖区水务局"},
	{"91", "深圳市水务（集团）有限公司"},
	{"91", "深圳供电局有限公司"},
	{"11", "深圳市罗湖区交通运输局"},
	{"11", "深圳市公安局交通警察支队罗湖大队"},
	{"91", "中国电信股份有限公司深圳分公司"},
	{"91", "中国移动通信集团广东有限公司深圳分公司"},
	{"91", "中国联合网络通信有限公司深圳市分公司"},
	{"11", "深圳市罗湖区消防救援大队"},
	{"91", "深圳巴士集团股份有限公司"},
	{"91", "深圳市报刊发行有限公司"},
	{"12", "深圳市罗湖区公园管理中心"},
	{"91", "深圳市罗湖区环境卫生服务有限公司"},
}

const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc makes a synthetic unified social credit code: registration kind (2) + admin code (6)
// + organisation digits (9) + the GB 32100 check character.
func uscc(kind string, n int) string {
	body := fmt.Sprintf("%s440303%09d", kind, 340000000+n*7919)
	w, sum := 1, 0
	for _, r := range body {
		sum += strings.IndexRune(usccChars, r) * w
		w = w * 3 % 31
	}
	return body + string(usccChars[(31-sum%31)%31])
}

// makeDepts returns the fixed departments and then one 街道办事处 per street.
func makeDepts() []*data.Department {
	var out []*data.Department
	for i, d := range fixedDepts {
		out = append(out, &data.Department{Code: uscc(d.kind, i+1), Name: d.name})
	}
	for i, s := range luohu {
		out = append(out, &data.Department{Code: uscc("11", 100+i), Name: "深圳市罗湖区" + s.name + "办事处"})
	}
	return out
}

func ref(d *data.Department) data.DeptRef { return data.DeptRef{Code: d.Code, Name: d.Name} }
