package gazetteer_test

import (
	"strconv"
	"testing"
	"unicode"
	"unicode/utf8"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

var fuzzSeeds = []string{
	"臺北市大安區和平東路三段228巷37號", "臺北市大安區信義路三段一九0之二號一樓", "五四路一百二十三号",
	"中山二路１８號Ａ座", "12-3-1001", "电话13812345678朝阳路18号（靠近学校）", "3#楼2门502房",
	"澎湖縣馬公市中央里9鄰中央街1巷3號", "建设路与人民路交叉口", "建设路17号东50米", "三OO巷",
	"十十十十十十十十十十号", "一九九九九九九九九九九九九九九九九九九九号", "之之之之1号", "((((", "))))",
	"\xff\xfe", "０７５５-１２３４５６７", "东东东东东东", "甲", "F", "B1", "A", "-1-2-3-", "号号号",
	"建设路18-1号", "中央街7號之1", "中央街7號之51樓", "7號之1F", "和平東路三段228巷口", "附18号建设路", "建设路17号斜对面", "建设路99999号",
	"义乌长春路000号", "中国浙江省杭州市余杭经济开发区兴中路000号", "姜山镇胡家坟振兴路", "顺达花苑西区00幢0单元",
	"杭州市江干区下沙0号路", "建设路17号甲", "12甲号", "人民路（友谊桥至和平桥）", "环城西路北段000弄0号",
	"光榮里4鄰建设路18號", "里1鄰", "光榮里鄰", "1鄰", "邻", "市里99999999999999999999邻建设路3号",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := gazetteer.Normalize(s)
		if n := utf8.RuneCountInString(x.Norm); n != len(x.Off) {
			t.Fatalf("Normalize(%q): %d runes but %d offsets", s, n, len(x.Off))
		}
		raw := int32(utf8.RuneCountInString(s))
		for i, o := range x.Off {
			if o < 0 || o >= raw {
				t.Fatalf("Normalize(%q): offset %d = %d outside [0, %d)", s, i, o, raw)
			}
		}
		if !utf8.ValidString(x.Norm) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, x.Norm)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	ix := mustNew(f, testCity(), gazetteer.Options{})
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []gazetteer.Parsed{gazetteer.Parse(s), ix.Parse(s)} {
			n := utf8.RuneCountInString(p.Text.Norm)
			end := 0
			for _, e := range p.Elements {
				if e.Start < end || e.End <= e.Start || e.End > n {
					t.Fatalf("Parse(%q): element %v [%d,%d) out of order or bounds (norm %q)", s, e.Kind, e.Start, e.End, p.Text.Norm)
				}
				end = e.End
			}
		}
		for _, c := range ix.Geocode(s, gazetteer.Query{Limit: 5}) {
			if c.Score < 0 || c.Score > 1 {
				t.Fatalf("Geocode(%q) score %v outside [0, 1]", s, c.Score)
			}
			// An answer that is not exact at its level never scores as if it were.
			if c.Reason != gazetteer.ReasonExact && c.Score >= gazetteer.Score(c.Level, gazetteer.ReasonExact) {
				t.Fatalf("Geocode(%q): %s/%s scores %v", s, c.Level, c.Reason, c.Score)
			}
			if c.Matched == "" || c.Address != c.Matched {
				t.Fatalf("Geocode(%q): matched %q, address %q", s, c.Matched, c.Address)
			}
		}
		ix.Suggest(s, 5)
	})
}

// FuzzMaskPhones checks that masking keeps the text's length in runes, changes digits only
// (to *), and is done in one pass: masked text has no phone number left to mask.
func FuzzMaskPhones(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := gazetteer.MaskPhones(s)
		in, out := []rune(s), []rune(m)
		if len(in) != len(out) {
			t.Fatalf("MaskPhones(%q) = %q: %d runes, want %d", s, m, len(out), len(in))
		}
		for i := range in {
			if in[i] != out[i] && (out[i] != '*' || !unicode.IsDigit(in[i])) {
				t.Fatalf("MaskPhones(%q) = %q: rune %d %q became %q", s, m, i, in[i], out[i])
			}
		}
		if again := gazetteer.MaskPhones(m); again != m {
			t.Fatalf("MaskPhones(%q) = %q, masked again %q", s, m, again)
		}
	})
}

// FuzzIndexHouses builds an index of the houses of a street with a line, a street without one
// and their lanes from arbitrary numbers and points (repeated, out of order, kilometres out of
// place) and asks numbers back: indexed ones, ones between and ones beyond. The index must not
// panic, and must answer exactly, at 门牌号, only a number it holds: the out-of-sequence and
// out-of-reach rules decide which houses anchor others, never what a house is.
func FuzzIndexHouses(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 3, 0, 1, 0, 5, 0, 2, 0, 7, 0, 90, 90, 9, 0, 4, 0})
	f.Add([]byte{31, 0, 30, 2, 1, 0x81, 30, 4, 5, 0x81, 30, 6, 9, 0x81, 120, 50, 18, 0x83, 127, 127})
	f.Add([]byte{2, 0x40, 0, 0, 4, 0x40, 1, 0, 6, 0x40, 2, 0, 10, 0x40, 0, 75, 12, 0x40, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "直街", Line: orb.LineString{{lon0 - 0.01, lat0}, {lon0 + 0.02, lat0}}}}}
		held := map[string]bool{}
		for i := 0; i+3 < len(b) && len(ds.Addresses) < 40; i += 4 {
			road, lane := "直街", ""
			if b[i+1]&0x40 != 0 {
				road = "弯街" // no line
			}
			if b[i+1]&0x80 != 0 {
				lane = strconv.Itoa(int(b[i+1]%4)*2+1) + "巷" // 1, 3, 5 or 7巷
			}
			num := int(b[i]%64) + 1
			p := orb.Point{lon0 + float64(int8(b[i+2]))*20/102000, lat0 + float64(int8(b[i+3]))*20/111000}
			ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(len(ds.Addresses) + 1), Road: road, Lane: lane, Number: num, Point: p})
			held[road+lane+strconv.Itoa(num)] = true
		}
		ix, err := gazetteer.New(ds, gazetteer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, road := range []string{"直街", "弯街"} {
			for _, lane := range []string{"", "1巷", "3巷", "7巷"} {
				for num := 1; num <= 70; num += 3 {
					q := road + lane + strconv.Itoa(num) + "号"
					cs := ix.Geocode(q, gazetteer.Query{})
					if len(cs) > 0 && cs[0].Level == gazetteer.LevelHouse && cs[0].Reason == gazetteer.ReasonExact && !held[road+lane+strconv.Itoa(num)] {
						t.Fatalf("Geocode(%s) = %s exact at 门牌号, but the index holds no such house", q, cs[0].Matched)
					}
				}
			}
		}
	})
}
