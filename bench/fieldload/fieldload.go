// Package fieldload writes the field force's load: batches of handsets' fixes as POST
// /v1/positions bodies, and the registration of a simulated JT/T 808 terminal. The load
// generator (bench/field) and the in-process benchmarks (cmd/citygeo) send the same load.
package fieldload

import (
	"strconv"
	"time"

	"citygeo/jt808"
)

// Handsets is how many handsets a batch carries fixes of.
const Handsets = 200

// FixesBody appends the JSON body of batch i: perDevice fixes of each of Handsets handsets,
// 100 ms apart, following on from batch i-1, so every fix of a run is unique (as a replayed
// day is). The handsets stand on a 20 × 10 lattice 400 m apart over Luohu.
func FixesBody(dst []byte, i, perDevice int, base time.Time) []byte {
	dst = append(dst, `{"fixes":[`...)
	for d := range Handsets {
		for j := range perDevice {
			if d+j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"device":"load-`...)
			dst = strconv.AppendInt(dst, int64(d), 10)
			dst = append(dst, `","time":"`...)
			dst = base.Add(time.Duration(i*perDevice+j)*100*time.Millisecond).AppendFormat(dst, time.RFC3339Nano)
			dst = append(dst, `","lng":`...)
			dst = strconv.AppendFloat(dst, 114.08+float64(d%20)*0.004+float64(j)*1e-5, 'f', 6, 64)
			dst = append(dst, `,"lat":`...)
			dst = strconv.AppendFloat(dst, 22.53+float64(d/20)*0.004, 'f', 6, 64)
			dst = append(dst, `,"speed":1.3,"heading":87,"accuracy":6}`...)
		}
	}
	return append(dst, "]}"...)
}

// Location returns the k-th location report body of terminal w: w's lattice point, drifting
// north by a metre a report, one second after the previous.
func Location(w, k int, base time.Time) []byte {
	b, err := jt808.AppendLocation(nil, &jt808.Location{Status: jt808.StatusPositioned | jt808.StatusACC,
		Lat: 22.53 + float64(w/20)*0.004 + float64(k%100)*1e-5, Lon: 114.08 + float64(w%20)*0.004,
		Speed: 30, Direction: 90, Time: base.Add(time.Duration(k) * time.Second)})
	if err != nil {
		panic(err) // only a time outside 2000–2099 fails
	}
	return b
}

// Register is the registration of terminal w.
func Register(w int) *jt808.Register {
	return &jt808.Register{Province: 44, City: 303, Maker: "LOAD", Model: "bench", TerminalID: "T", PlateColor: 1, Plate: "粤B" + strconv.Itoa(10000+w)}
}
