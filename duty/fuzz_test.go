package duty_test

import (
	"bytes"
	"errors"
	"testing"

	"citygeo/duty"
	"citygeo/duty/dutyfile"
)

// FuzzRead: any bytes read as a CSV list, a JSON document or a workbook either fail with
// ErrFormat or give tables that Parse turns into a roster and findings; nothing panics, and
// every finding names its source.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"工号,姓名,岗位,手机号\nP1,张伟,监督员,13800000001\n",
		"id,name,window,days\nday,白班,08:00-20:00,周一至周五\n",
		`{"people":[{"id":"P1","name":"张伟","away":true}],"zones":[{"id":"Z","name":"z","grids":["440303001001001"]}]}`,
		`{"delegations":[{"id":"D","from":"A","to":"B","starts":46327,"window":"18:00-08:00"}]}`,
		"\"unclosed,quote\n", "\xff\xfe\x00", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, name := range []string{"people.csv", "shifts.csv", "delegations.csv", "lists.json", "lists.xlsx"} {
			ts, fs, err := dutyfile.Read(name, bytes.NewReader(b))
			if err != nil {
				if !errors.Is(err, duty.ErrFormat) {
					t.Fatalf("%s: error %v does not wrap ErrFormat", name, err)
				}
				continue
			}
			_, pfs := duty.Parse(ts)
			for _, fd := range append(fs, pfs...) {
				if fd.Source == "" || fd.Reason == "" {
					t.Fatalf("%s: finding without source or reason: %+v", name, fd)
				}
			}
		}
	})
}
