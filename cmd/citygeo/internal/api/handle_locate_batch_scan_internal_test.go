package api

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// batchBodies are JSON batches of every kind: the usual shape the scanner reads and the odd
// ones it leaves to the full reader, valid and not.
var batchBodies = []struct {
	body string
	read bool // the scanner reads it itself
}{
	{`{"k":0,"points":[{"lng":114.231612,"lat":22.667324},{"lng":114.284947,"lat":22.499471}]}`, true},
	{` { "crs" : "gcj02" , "k":1, "radius":300, "class":"0118", "points" : [ { "id":"p1", "lng" : -0, "lat":22.5 } ] } `, true},
	{"{\n\t\"points\":[{\"lat\":22.5,\"lng\":114,\"id\":\"网格 <a&b>\"}],\"k\":5\r\n}", true},
	{`{"points":[{"lng":114.1e0,"lat":2.25E+1},{"lng":114.12345678901234567,"lat":0.000000000000000000000001}]}`, true},
	{`{"points":[]}`, true},                                            // read: the full reader's error
	{`{"k":1000,"points":[{"lng":114,"lat":22}]}`, true},               // k out of range
	{`{"crs":"utm","points":[{"lng":114,"lat":22}]}`, true},            // unknown crs
	{`{"points":[{"lng":200,"lat":22},{"lng":114,"lat":91}]}`, true},   // out of range
	{`{"points":[{"lng":1e400,"lat":22}]}`, false},                     // not a float64
	{`{"k":1.5,"points":[{"lng":114,"lat":22}]}`, false},               // k not an int
	{`{"CRS":"bd09","points":[{"lng":114,"lat":22}]}`, false},          // a key's case
	{`{"points":[{"LNG":114,"lat":22}]}`, false},                       // a point key's case
	{`{"points":[{"lng":114,"lat":22,"alt":3}]}`, false},               // unknown field
	{`{"points":[{"lng":114,"lat":22}],"points":[]}`, false},           // twice
	{`{"points":[{"lng":114,"lng":115,"lat":22}]}`, false},             // twice in a point
	{`{"points":[{"id":"a\"b","lng":114,"lat":22}]}`, false},           // an escape
	{"{\"points\":[{\"id\":\"\xff\",\"lng\":114,\"lat\":22}]}", false}, // invalid UTF-8
	{`{"points":[{"id":null,"lng":114,"lat":22}]}`, false},             // null
	{`{"points":[{"lng":114}]}`, false},                                // lat missing
	{`{"points":[{"lng":01,"lat":22}]}`, false},                        // not JSON
	{`{"points":[{"lng":1,"lat":22}]} {}`, false},                      // trailing data
	{`{"points":[3]}`, false},
	{`[1,2]`, false},
	{``, false},
	{`{"k":0}`, false}, // no points
}

// TestScanJSONReadsTheUsualShape: the scanner reads the usual bodies itself (so the fast path is
// the one taken) and leaves the others to the full reader, and what it reads agrees with that
// reader (see sameDecode).
func TestScanJSONReadsTheUsualShape(t *testing.T) {
	for _, tc := range batchBodies {
		lb := &locateBatch{body: []byte(tc.body)}
		_, _, read, _ := lb.scanJSON()
		if read != tc.read {
			t.Errorf("%s: read %v, want %v", tc.body, read, tc.read)
		}
		if err := sameDecode([]byte(tc.body)); err != nil {
			t.Errorf("%s: %v", tc.body, err)
		}
	}
}

// TestNumberValue checks the fast conversion against strconv.ParseFloat on coordinates as
// clients write them and on the edges of its fast path.
func TestNumberValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	texts := []string{"0", "-0", "1", "-1", "0.1", "114.231612", "22.667324", "123456789012345", "1234567890123456",
		"0.000000000000000000001", "0.0000000000000000000001", "9007199254740993", "999999999999999.9", "1.5e3", "-2E-3"}
	for range 100000 {
		f := rng.Float64()*360 - 180
		texts = append(texts, strconv.FormatFloat(f, 'f', rng.IntN(17), 64), strconv.FormatFloat(f, 'f', -1, 64))
	}
	for _, text := range texts {
		got, ok := numberValue([]byte(text))
		want, err := strconv.ParseFloat(text, 64)
		if ok != (err == nil) || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s: %v %v, ParseFloat %v %v", text, got, ok, want, err)
		}
	}
}

// FuzzScanBatchJSON: whatever the body, the scanner either leaves it to the full reader (and
// keeps nothing) or reads it exactly as that reader does: the same options, CRS, points, ids
// and error.
func FuzzScanBatchJSON(f *testing.F) {
	for _, tc := range batchBodies {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := sameDecode(body); err != nil {
			t.Fatal(err)
		}
	})
}

// sameDecode compares scanJSON with decodeJSON on body.
func sameDecode(body []byte) error {
	fast := &locateBatch{body: slices.Clone(body)}
	q, crs, read, err := fast.scanJSON()
	if !read {
		if len(fast.ids)+len(fast.idAt)+len(fast.given)+len(fast.cgcs) != 0 {
			return errors.New("the scanner gave up but kept what it read")
		}
		return nil
	}
	full := &locateBatch{body: slices.Clone(body)} // fastjson unescapes in place
	q2, crs2, err2 := full.decodeJSON()
	if fmt.Sprint(err) != fmt.Sprint(err2) || fmt.Sprintf("%#v", err) != fmt.Sprintf("%#v", err2) {
		return fmt.Errorf("scanner error %#v, full reader %#v", err, err2)
	}
	if err != nil {
		return nil
	}
	if q != q2 || crs.String() != crs2.String() {
		return fmt.Errorf("scanner %+v %s, full reader %+v %s", q, crs, q2, crs2)
	}
	if !bytes.Equal(fast.ids, full.ids) || !slices.Equal(fast.idAt, full.idAt) {
		return fmt.Errorf("ids: scanner %q %v, full reader %q %v", fast.ids, fast.idAt, full.ids, full.idAt)
	}
	for i := range max(len(fast.given), len(full.given)) {
		if i >= len(fast.given) || i >= len(full.given) || !sameBits(fast.given[i][0], full.given[i][0]) ||
			!sameBits(fast.given[i][1], full.given[i][1]) || fast.cgcs[i] != full.cgcs[i] {
			return fmt.Errorf("point %d: scanner %v %v, full reader %v %v", i, fast.given, fast.cgcs, full.given, full.cgcs)
		}
	}
	return nil
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
