package api

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/geo"
	"citygeo/internal/jsonenc"
)

// csvHeader is the optional first line of a text/csv batch, and csvAnswerHeader the first
// line of its answer.
const (
	csvHeader       = "lng,lat"
	csvAnswerHeader = "grid,snap_distance_m\n"
)

// decodeCSV reads the text/csv form's points into lb.points; its options come from the query:
// crs, and k, which must be absent or 0 (the form answers grid codes only).
func (lb *locateBatch) decodeCSV(c *gin.Context) (geo.CRS, error) {
	if k := c.Query("k"); k != "" && k != "0" {
		return geo.CRS{}, BadParam("k", "the text/csv form answers grid codes only (k=0); ask for components in the JSON form")
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		return crs, err
	}
	err = eachCSVPoint(lb.body, crs, func(_ int, given, cgcs orb.Point) { lb.add(0, given, cgcs) })
	return crs, err
}

// eachCSVPoint calls fn with each "lng,lat" line of body (an optional first line "lng,lat"
// aside) in order, the point as given and in CGCS2000, after checking the lot: one to
// MaxCompactBatch points, each two numbers in range. Errors name the point and its line.
func eachCSVPoint(body []byte, crs geo.CRS, fn func(i int, given, cgcs orb.Point)) error {
	if n := csvPoints(body); n == 0 || n > MaxCompactBatch {
		return checkBatchSize(n, MaxCompactBatch)
	}
	line, i := 0, 0
	for len(body) > 0 {
		var ln []byte
		if nl := bytes.IndexByte(body, '\n'); nl >= 0 {
			ln, body = body[:nl], body[nl+1:]
		} else {
			ln, body = body, nil
		}
		line++
		ln = bytes.TrimSuffix(ln, []byte{'\r'})
		if line == 1 && string(bytes.TrimSpace(ln)) == csvHeader {
			continue
		}
		lngText, latText, ok := bytes.Cut(ln, []byte{','})
		if !ok {
			return BadParam(fmt.Sprintf("points[%d]", i), "line %d: want lng,lat, got %q", line, truncate(ln, 40))
		}
		lng, err := csvFloat(i, line, "lng", lngText)
		if err != nil {
			return err
		}
		lat, err := csvFloat(i, line, "lat", latText)
		if err != nil {
			return err
		}
		given, cgcs, err := checkPoint(i, lng, lat, crs)
		if err != nil {
			return err
		}
		fn(i, given, cgcs)
		i++
	}
	return nil
}

// csvPoints counts the point lines of a text/csv batch: its lines, less a header and a final
// newline.
func csvPoints(body []byte) int {
	if len(body) == 0 {
		return 0
	}
	n := bytes.Count(body, []byte{'\n'})
	if body[len(body)-1] != '\n' {
		n++
	}
	first, _, _ := bytes.Cut(body, []byte{'\n'})
	if string(bytes.TrimSpace(first)) == csvHeader {
		n--
	}
	return n
}

func csvFloat(i, line int, field string, text []byte) (float64, error) {
	text = bytes.TrimSpace(text)
	v, err := strconv.ParseFloat(string(text), 64) // a short non-escaping conversion: no copy
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, BadParam(fmt.Sprintf("points[%d].%s", i, field), "line %d: %q is not a number", line, truncate(text, 40))
	}
	return v, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// writeCSV writes the text/csv answer: the header, then per point its grid code and, for a
// point snapped to the nearest grid, the distance in metres (the answer says it is not inside).
func (lb *locateBatch) writeCSV(snap *city.Snapshot, crs geo.CRS) []byte {
	out := append(lb.out[:0], csvAnswerHeader...)
	snap.LocateBatch(&lb.batch, lb.given, lb.cgcs, crs, geo.NearestQuery{}, func(_ int, l *city.Located) {
		if g := l.Grid; g != nil {
			out = appendCSVField(out, g.Code)
		}
		out = append(out, ',')
		if l.Snapped {
			out = jsonenc.AppendFloat(out, l.SnapDist)
		}
		out = append(out, '\n')
	})
	lb.out = out
	return out
}

// appendCSVField appends a field, quoted as RFC 4180 wants when it holds a comma, a quote or a
// line break (a grid code is digits, but the dataset's codes are not checked for it here).
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
