package export

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// dbfNameLimit is the bytes a .dbf field name holds.
const dbfNameLimit = 10

// Abbreviations is the documented table of the short names a Shapefile gets for column names
// longer than a .dbf field's 10 bytes. Names not in it are cut to 10 bytes (on a character
// boundary, in the file's charset), and a cut name that another column already has ends in
// _1, _2 … instead. The other formats keep every name whole.
var Abbreviations = map[string]string{
	"OBJUPTODATE":  "UPTODATE",  // CJ/T 214-2007 现势性
	"DESCRIPTION":  "DESCR",     //
	"INSTALLDATE":  "INSTDATE",  //
	"INSTALL_DATE": "INST_DATE", //
	"MANUFACTURER": "MANUFACT",  //
	"CONSTRUCTION": "CONSTR",    //
	"CREATE_TIME":  "CRT_TIME",  //
	"UPDATE_TIME":  "UPD_TIME",  //
	"MAINTENANCE":  "MAINT",     //
	"所在单元网格标识码":    "SZDYWGBSM", // GB/T 47678.5 表2
	"管理部件标识码":      "GLBJBSM",   // GB/T 47678.5 表2
}

// dbfNames returns the .dbf field name of each column name, each at most 10 bytes once
// encoded by size, and all different (case-insensitively, as readers compare them).
func dbfNames(names []string, size func(string) int) []string {
	out := make([]string, len(names))
	taken := map[string]bool{}
	for _, n := range names {
		if size(n) <= dbfNameLimit {
			taken[strings.ToUpper(n)] = true
		}
	}
	for i, n := range names {
		if size(n) <= dbfNameLimit {
			out[i] = n
			continue
		}
		short, ok := Abbreviations[strings.ToUpper(n)]
		if !ok || taken[strings.ToUpper(short)] {
			short = cut(n, dbfNameLimit, size)
		}
		for k := 1; taken[strings.ToUpper(short)]; k++ {
			suffix := "_" + strconv.Itoa(k)
			short = cut(n, dbfNameLimit-len(suffix), size) + suffix
		}
		taken[strings.ToUpper(short)] = true
		out[i] = short
	}
	return out
}

// cut returns the longest prefix of s, on a character boundary, of at most n bytes by size.
func cut(s string, n int, size func(string) int) string {
	for len(s) > 0 && size(s) > n {
		_, w := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-w]
	}
	return s
}
