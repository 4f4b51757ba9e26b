package duty_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/duty/dutyfile"
)

// sheetNames are the Chinese sheet names a 城管办 workbook uses.
var sheetNames = map[duty.List]string{duty.ListPeople: "人员", duty.ListTeams: "中队", duty.ListZones: "责任区",
	duty.ListSegments: "路段", duty.ListShifts: "班次", duty.ListAssignments: "责任分配", duty.ListDelegations: "代岗"}

// xlsxOf writes the lists as a workbook with excelize: one sheet per list under its Chinese
// name, a title line above the people's header, delegation dates typed as dates, and a sheet
// of notes that is no list.
func xlsxOf(t *testing.T, lists map[duty.List][][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range duty.Lists {
		rows := lists[l]
		sheet := sheetNames[l]
		if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		first := 1
		if l == duty.ListPeople {
			if err := f.SetCellValue(sheet, "A1", "桂园街道城管人员名单（2026年11月）"); err != nil {
				t.Fatal(err)
			}
			first = 2
		}
		for i, row := range rows {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = v
			}
			if l == duty.ListDelegations && i > 0 {
				for j, h := range rows[0] {
					if (h == "开始" || h == "结束") && row[j] != "" {
						d, err := time.Parse(time.DateOnly, row[j])
						if err != nil {
							t.Fatal(err)
						}
						cells[j] = d // stored as an Excel serial date
					}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, first+i)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				t.Fatal(err)
			}
			if l == duty.ListDelegations && i > 0 {
				if err := f.SetCellStyle(sheet, "D"+itoa(first+i), "E"+itoa(first+i), dateStyle); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("说明", "A1", "本表由桂园街道城管科维护"); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// jsonOf writes the lists as one JSON document, with the values a program would write: grid
// lists as arrays, yes/no as booleans.
func jsonOf(t *testing.T, lists map[duty.List][][]string) []byte {
	t.Helper()
	doc := map[string][]map[string]any{}
	for l, rows := range lists {
		for _, row := range rows[1:] {
			obj := map[string]any{}
			for j, h := range rows[0] {
				var v any = row[j]
				switch {
				case h == "单元网格":
					v = strings.Split(row[j], ";")
				case h == "不在岗" || h == "不在岗时":
					v = row[j] == "是"
				case row[j] == "":
					continue
				}
				obj[h] = v
			}
			doc[string(l)] = append(doc[string(l)], obj)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSameFromEveryFormat: the fixture lists read from .xlsx (written by excelize), CSV and
// JSON give identical rosters and identical answers.
func TestSameFromEveryFormat(t *testing.T) {
	lists := fixtureLists()
	c := fixtureCity(t)
	read := func(name string, b []byte) *duty.Roster {
		ts, fs, err := dutyfile.Read(name, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r, pfs := duty.Parse(ts)
		if err := append(fs, pfs...).Err(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	fromCSV, _ := duty.Parse(csvTables(t, lists))
	fromXLSX := read("名单.xlsx", xlsxOf(t, lists))
	fromJSON := read("roster.json", jsonOf(t, lists))
	for name, r := range map[string]*duty.Roster{"xlsx": fromXLSX, "json": fromJSON} {
		if diff := cmp.Diff(fromCSV.Roster, r.Roster); diff != "" {
			t.Errorf("%s roster differs from CSV (-csv +%s):\n%s", name, name, diff)
		}
	}
	if got := fromXLSX.Origin(fromXLSX.People[0]); got != (duty.Origin{Source: "名单.xlsx#人员", Row: 3}) {
		t.Errorf("first person read at %+v, want 名单.xlsx#人员 row 3 (under the title and header)", got)
	}
	var answers [3][]data.OnDuty
	for i, r := range []*duty.Roster{fromCSV, fromXLSX, fromJSON} {
		ix, fs := duty.Build(r, c, duty.Options{})
		if err := fs.Err(); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]float64{{310, 180}, {150, 250}, {350, 50}, {295, 60}} {
			for _, h := range []int{10, 20} {
				answers[i] = append(answers[i], ix.OnDuty(duty.Query{Point: at(p[0], p[1]), At: clockAt(h, 0)}, nil)...)
			}
		}
	}
	if len(answers[0]) < 20 {
		t.Fatalf("only %d answers", len(answers[0]))
	}
	for i, name := range []string{"xlsx", "json"} {
		if diff := cmp.Diff(answers[0], answers[i+1]); diff != "" {
			t.Errorf("%s answers differ from CSV:\n%s", name, diff)
		}
	}
}

// TestReadWarnsAndRefuses: sheets and columns nobody reads are warnings; a file of no known
// format or list is an error.
func TestReadWarnsAndRefuses(t *testing.T) {
	_, fs, err := dutyfile.Read("名单.xlsx", bytes.NewReader(xlsxOf(t, fixtureLists())))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || !fs[0].Warning || fs[0].Source != "名单.xlsx#说明" {
		t.Errorf("findings %v, want one warning about sheet 说明", fs)
	}
	_, fs, err = dutyfile.Read("people.csv", strings.NewReader("id,name,备注\nP1,张伟,新人\n"))
	if err != nil || len(fs) != 1 || !fs[0].Warning || fs[0].Value != "备注" {
		t.Errorf("people.csv with a notes column: %v %v, want one warning naming 备注", err, fs)
	}
	for name, body := range map[string]string{"名单.csv": "id\n", "people.txt": "", "roster.json": "[1,2]", "a.xlsx": "not a zip"} {
		if _, _, err := dutyfile.Read(name, strings.NewReader(body)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

// TestReadGBKCSV: a CSV saved by Excel on a Chinese desktop (GB18030) reads like UTF-8.
func TestReadGBKCSV(t *testing.T) {
	gbk := []byte{0xb9, 0xa4, 0xba, 0xc5, ',', 0xd0, 0xd5, 0xc3, 0xfb, '\n', 'P', '1', ',', 0xd5, 0xc5, 0xce, 0xb0, '\n'} // 工号,姓名 / P1,张伟
	ts, fs, err := dutyfile.Read("人员.csv", bytes.NewReader(gbk))
	if err != nil || fs.Errors() > 0 {
		t.Fatal(err, fs)
	}
	r, fs := duty.Parse(ts)
	if fs.Errors() > 0 || len(r.People) != 1 || r.People[0].Name != "张伟" {
		t.Errorf("read %+v %v, want 张伟", r.People, fs)
	}
}

// TestWriteJSONRoundTrip: WriteJSON writes what ReadJSON reads back as the same roster, a
// polygon zone included.
func TestWriteJSONRoundTrip(t *testing.T) {
	lists := fixtureLists()
	for i := range lists[duty.ListZones] {
		lists[duty.ListZones][i] = append(lists[duty.ListZones][i], "")
	}
	lists[duty.ListZones][0][4] = "范围"
	lists[duty.ListZones] = append(lists[duty.ListZones], []string{"Z9", "多边形", "片区", "", "POLYGON((114.1 22.54,114.101 22.54,114.101 22.541,114.1 22.541,114.1 22.54))"})
	lists[duty.ListShifts] = append(lists[duty.ListShifts], []string{"wk", "工作日", "周一至周五", "09:00-17:00"})
	want, fs := duty.Parse(csvTables(t, lists))
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := duty.WriteJSON(&buf, &want.Roster); err != nil {
		t.Fatal(err)
	}
	ts, fs, err := duty.ReadJSON("roster.json", &buf)
	if err != nil || len(fs) > 0 {
		t.Fatal(err, fs)
	}
	got, fs := duty.Parse(ts)
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Roster, got.Roster); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
