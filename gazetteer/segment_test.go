package gazetteer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"citygeo/data"
	"citygeo/gazetteer"
)

func TestParseSegment(t *testing.T) {
	type want struct {
		road, from, to string
		kinds          string // "from/to" kinds
		side           data.Side
	}
	for _, c := range []struct {
		text string
		want want
	}{
		{"人民路（友谊桥至和平桥）", want{"人民路", "友谊桥", "和平桥", "place/place", ""}},
		{"跃龙路(人民路—青年路)", want{"跃龙路", "人民路", "青年路", "road/road", ""}},
		{"解放路东侧", want{"解放路", "", "", "", data.SideEast}},
		{"解放路東側", want{"解放路", "", "", "", data.SideEast}},
		{"人民南路西侧（春风路至深南东路）", want{"人民南路", "春风路", "深南东路", "road/road", data.SideWest}},
		{"人民南路（春风路口至深南东路口）北侧", want{"人民南路", "春风路", "深南东路", "road/road", data.SideNorth}},
		{"人民路友谊桥至和平桥段", want{"人民路", "友谊桥", "和平桥", "place/place", ""}},
		{"建设路：18号至96号", want{"建设路", "18号", "96号", "number/number", ""}},
		{"建设路【人民公园到建设路100号】", want{"建设路", "人民公园", "建设路100号", "place/number", ""}},
		{"深南东路(从红岭中路到文锦南路交叉口)", want{"深南东路", "红岭中路", "文锦南路", "road/road", ""}},
		{"北环大道（香蜜湖立交~皇岗立交）", want{"北环大道", "香蜜湖立交", "皇岗立交", "place/place", ""}},
		{"羅斯福路三段(和平東路至辛亥路)", want{"羅斯福路三段", "和平東路", "辛亥路", "road/road", ""}},
		{"解放路两侧全段", want{"解放路", "", "", "", ""}},
		{"文锦南路", want{"文锦南路", "", "", "", ""}},
		{"台北聯絡線（辛亥路三段至台北Ⅱ隧道）", want{"台北聯絡線", "辛亥路三段", "台北Ⅱ隧道", "road/road", ""}},
		{"羅斯福路公車專用道（羅斯福路五段至羅斯福路三段）", want{"羅斯福路公車專用道", "羅斯福路五段", "羅斯福路三段", "road/road", ""}},
		{"敦化南路二段东侧（基隆路三段至安和路二段171巷）", want{"敦化南路二段", "基隆路三段", "安和路二段171巷", "road/road", data.SideEast}},
		{"书院街四路（花场四路至人民路一巷）", want{"书院街四路", "花场四路", "人民路一巷", "road/road", ""}},
		{"春风路（东门中路与人民南路之间）", want{"春风路", "东门中路", "人民南路", "road/road", ""}},
	} {
		t.Run(c.text, func(t *testing.T) {
			s, err := gazetteer.ParseSegment(c.text)
			if err != nil {
				t.Fatal(err)
			}
			kinds := ""
			if !s.Whole() {
				kinds = s.From.Kind.String() + "/" + s.To.Kind.String()
			}
			got := want{s.Road, s.From.Text, s.To.Text, kinds, s.Side}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseSegmentRefuses(t *testing.T) {
	for text, reason := range map[string]string{
		"":                   "no road name",
		"（友谊桥至和平桥）":          "no road name",
		"人民路（友谊桥至和平桥":        "unclosed bracket",
		"人民路（友谊桥）":           "want two ends",
		"人民路（友谊桥至）":          "an end is empty",
		"人民路（友谊桥至友谊桥）":       "both ends",
		"解放路东侧西侧":            "two different sides",
		"人民路（友谊桥至和平桥）以东100米": "left over",
		"人民路(A至B至C)":         "want two ends",
	} {
		t.Run(text, func(t *testing.T) {
			_, err := gazetteer.ParseSegment(text)
			if err == nil || !errors.Is(err, gazetteer.ErrSegmentText) || !strings.Contains(err.Error(), reason) {
				t.Errorf("ParseSegment(%q) = %v, want an ErrSegmentText saying %q", text, err, reason)
			}
		})
	}
}

func ExampleParseSegment() {
	for _, text := range []string{"人民路（友谊桥至和平桥）", "跃龙路(人民路—青年路)", "解放路东侧"} {
		s, _ := gazetteer.ParseSegment(text)
		fmt.Printf("%s: road %s, from %q (%s) to %q (%s), side %s\n", text, s.Road, s.From.Text, s.From.Kind, s.To.Text, s.To.Kind, s.Side.Chinese())
	}
	// Output:
	// 人民路（友谊桥至和平桥）: road 人民路, from "友谊桥" (place) to "和平桥" (place), side 两侧
	// 跃龙路(人民路—青年路): road 跃龙路, from "人民路" (road) to "青年路" (road), side 两侧
	// 解放路东侧: road 解放路, from "" (EndKind(0)) to "" (EndKind(0)), side 东侧
}

// FuzzParseSegment: any text either parses to a road that starts the text and ends that are
// substrings of it, or fails with ErrSegmentText; it never panics.
func FuzzParseSegment(f *testing.F) {
	for _, s := range []string{"人民路（友谊桥至和平桥）", "跃龙路(人民路—青年路)", "解放路东侧", "解放路東側（A路至B路）",
		"建设路：18号至96号", "春风路（东门中路与人民南路之间）", "路路路", "(((", "人民路(至)", "道路", "东侧", "\xff路(1号-2号)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := gazetteer.ParseSegment(text)
		if err != nil {
			if !errors.Is(err, gazetteer.ErrSegmentText) {
				t.Fatalf("ParseSegment(%q): error %v does not wrap ErrSegmentText", text, err)
			}
			return
		}
		trimmed := string([]rune(strings.TrimSpace(text))) // invalid UTF-8 reads as U+FFFD
		if s.Road == "" || !strings.HasPrefix(trimmed, s.Road) {
			t.Fatalf("ParseSegment(%q): road %q does not start the text", text, s.Road)
		}
		if s.Whole() != (s.From.Text == "" && s.To.Text == "") || (s.From.Text == "") != (s.To.Text == "") {
			t.Fatalf("ParseSegment(%q): one end without the other: %+v", text, s)
		}
		for _, e := range []gazetteer.SegmentEnd{s.From, s.To} {
			if e.Text != "" && (e.Kind < gazetteer.EndRoad || e.Kind > gazetteer.EndPlace) {
				t.Fatalf("ParseSegment(%q): end %q has no kind", text, e.Text)
			}
			if !utf8.ValidString(e.Text) && utf8.ValidString(text) {
				t.Fatalf("ParseSegment(%q): end %q is not valid UTF-8", text, e.Text)
			}
		}
	})
}

func TestSegmentQuery(t *testing.T) {
	for q, want := range map[string]string{
		"人民路（友谊桥至和平桥）":     "人民路|友谊桥|和平桥",
		"跃龙路人民路至青年路段":      "跃龙路|人民路|青年路",
		"跃龙路(人民路—青年路)":     "跃龙路|人民路|青年路",
		"解放路东侧（建设路与人民路之间）": "解放路|建设路|人民路",
		"羅斯福路三段(和平東路至辛亥路)": "羅斯福路三段|和平東路|辛亥路",
		// Not a stretch: an address, a dashed number, a whole road, an intersection.
		"建设路12-3号":      "",
		"和平東路三段228巷37號": "",
		"解放路东侧":         "",
		"人民路与解放路交叉口":    "",
		"人民路":           "",
	} {
		st, ok := gazetteer.SegmentQuery(q)
		got := ""
		if ok {
			got = st.Road + "|" + st.From.Text + "|" + st.To.Text
		}
		if got != want {
			t.Errorf("SegmentQuery(%q) = %q, want %q", q, got, want)
		}
	}
}

// BenchmarkSegmentQuery is the cost city.Snapshot.Geocode adds to every address query to
// tell a segment text from an address.
func BenchmarkSegmentQuery(b *testing.B) {
	for b.Loop() {
		if _, ok := gazetteer.SegmentQuery("广东省深圳市罗湖区建设路18号3栋2单元501室"); ok {
			b.Fatal("an address read as a segment")
		}
	}
}
