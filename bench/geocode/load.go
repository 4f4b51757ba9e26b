package main

import (
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Row is one address of an evaluation set: the text to geocode, where it really is, the
// parsed parts that the index is built from, and the key the held-out split is made on (so
// that the same address twice never lands on both sides).
type Row struct {
	Query string
	Point orb.Point
	Key   string
	Addr  *data.Address
}

// Set is a loaded evaluation set: the rows and the dataset layers besides the addresses.
type Set struct {
	Name string
	Rows []Row
	Base data.Dataset // areas, roads, POIs; Addresses is filled per split
	// Entrances are address rows without a number (a register's lane entrances): indexed
	// in every split, never geocoded.
	Entrances []*data.Address
	// Fold is the fifth that Split holds out (0 to Folds-1): 0, the reading the tests and
	// the figures quote, unless the harness cross-validates (-folds).
	Fold int
}

// Folds is how many parts the rows are cut into: one is held out, the rest indexed.
const Folds = 5

// foldOf returns the part a row belongs to, by a hash of its key: every row of a house (its
// floors, its rooms) falls in the same part.
func foldOf(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % Folds)
}

// readCSV reads a CSV with a header into maps keyed by column name.
func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	var out []map[string]string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
}

func parsePoint(path string, line int, lon, lat string) (orb.Point, error) {
	x, err1 := strconv.ParseFloat(lon, 64)
	y, err2 := strconv.ParseFloat(lat, 64)
	if err1 != nil || err2 != nil {
		return orb.Point{}, fmt.Errorf("%s row %d: lon/lat %q/%q: not numbers", path, line, lon, lat)
	}
	return orb.Point{x, y}, nil
}

// numberRe reads "190之2", "35之2號", "120號" + unit.
var numberRe = regexp.MustCompile(`^(\d+)(?:之(\d+))?`)

func splitNumber(s string) (int, string) {
	m := numberRe.FindStringSubmatch(s)
	if m == nil {
		return 0, ""
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		return n, "之" + m[2]
	}
	return n, ""
}

// LoadTaipei reads taipei_daan: addresses.csv, the villages (社区 stand-ins) and the OSM roads.
func LoadTaipei(dir string) (*Set, error) {
	path := filepath.Join(dir, "addresses.csv")
	recs, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	s := &Set{Name: "taipei_daan"}
	for i, r := range recs {
		p, err := parsePoint(path, i+2, r["lon"], r["lat"])
		if err != nil {
			return nil, err
		}
		num, suffix := splitNumber(r["number"])
		if num == 0 {
			// A lane entrance: no 门牌 to geocode, but indexed as the file would be imported
			// (the gazetteer takes it for where the lane leaves its street).
			if r["lane"] != "" {
				s.Entrances = append(s.Entrances, &data.Address{ID: uint64(i + 1), Road: r["road"], Section: r["section"],
					Lane: r["lane"], Alley: r["alley"], Full: r["normalized"], Point: p, Source: "taipei_daan/addresses.csv"})
			}
			continue
		}
		a := &data.Address{ID: uint64(i + 1), Road: r["road"], Section: r["section"], Lane: r["lane"],
			Alley: r["alley"], Number: num, Suffix: suffix, Full: r["normalized"], Point: p,
			Community: r["village_code"], Source: "taipei_daan/addresses.csv"}
		s.Rows = append(s.Rows, Row{Query: r["raw"], Point: p, Key: r["normalized"], Addr: a})
	}
	s.Base.Areas = append(s.Base.Areas, &data.Area{Code: "6300300", Name: "大安區", Level: data.District})
	if err := loadVillages(filepath.Join(dir, "admin_village.geojson"), &s.Base); err != nil {
		return nil, err
	}
	if err := loadRoads(filepath.Join(dir, "roads_osm.geojson"), &s.Base); err != nil {
		return nil, err
	}
	return s, nil
}

// houseKey names the 门牌 an address text asks for: its street parts and number as the parser
// reads them ("" when it reads no number), so a POI's address and a row's compare however
// each is written (三段 or 3段, full-width digits, a floor after the number).
func houseKey(text string) string {
	var b strings.Builder
	for _, e := range gazetteer.Parse(text).Elements {
		switch e.Kind {
		case gazetteer.KindRoad, gazetteer.KindSection, gazetteer.KindLane, gazetteer.KindAlley:
			b.WriteString(e.Text)
			b.WriteByte('|')
		case gazetteer.KindNumber:
			return b.String() + strconv.Itoa(e.Num) + e.Suffix
		}
	}
	return ""
}

func loadVillages(path string, ds *data.Dataset) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i, f := range fc.Features {
		code, name := f.Properties.MustString("CPTVID", ""), f.Properties.MustString("VNAME", "")
		if code == "" || name == "" {
			return fmt.Errorf("%s feature %d: CPTVID/VNAME missing", path, i)
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			mp = g
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		}
		ds.Areas = append(ds.Areas, &data.Area{Code: code, Name: name, Level: data.Community,
			Parent: "6300300", Polygon: mp, Label: mp.Bound().Center()})
	}
	return nil
}

func loadRoads(path string, ds *data.Dataset) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i, f := range fc.Features {
		name := f.Properties.MustString("name", "")
		l, ok := f.Geometry.(orb.LineString)
		if name == "" || !ok {
			continue
		}
		ds.Roads = append(ds.Roads, &data.Road{ID: uint64(i + 1), Name: name, Line: l})
	}
	return nil
}

// unitRe reads the K of N號之K.
var unitRe = regexp.MustCompile(`號之(\d+)`)

var laneRe = regexp.MustCompile(`^(.*?)(?:(\d+)巷)?(?:(\d+)弄)?$`)

// LoadPenghu reads the official 門牌 register of 馬公市; its villages become communities.
func LoadPenghu(dir string) (*Set, error) {
	path := filepath.Join(dir, "addresses.csv")
	recs, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	s := &Set{Name: "penghu_magong"}
	villages := map[string]string{} // name → code
	for i, r := range recs {
		p, err := parsePoint(path, i+2, r["lon"], r["lat"])
		if err != nil {
			return nil, err
		}
		m := laneRe.FindStringSubmatch(r["street"])
		num, suffix := splitNumber(r["housenumber"])
		if num == 0 || m == nil {
			continue
		}
		// 之N right after 號 qualifies the number (120號之1); after 樓 it is a flat (3樓之2).
		// N號之K (a unit of N號) and N之K號 are two 門牌 that may both exist. The unit column
		// holds the K of a floor's 之K too (三樓之4), so K is read from the address itself.
		if m := unitRe.FindStringSubmatch(r["full"]); m != nil && suffix == "" {
			suffix = "號之" + m[1]
		}
		lane, alley := "", ""
		if m[2] != "" {
			lane = m[2] + "巷"
		}
		if m[3] != "" {
			alley = m[3] + "弄"
		}
		if v := r["village"]; v != "" && villages[v] == "" {
			villages[v] = "10016010-" + strconv.Itoa(len(villages)+1)
			s.Base.Areas = append(s.Base.Areas, &data.Area{Code: villages[v], Name: v, Level: data.Community,
				Parent: "10016010", Label: p})
		}
		a := &data.Address{ID: uint64(i + 1), Road: m[1], Lane: lane, Alley: alley, Number: num,
			Suffix: suffix, Full: r["full"], Point: p, Community: villages[r["village"]], Source: "penghu_magong/addresses.csv"}
		key := r["street"] + "|" + strconv.Itoa(num) + suffix
		s.Rows = append(s.Rows, Row{Query: r["full"], Point: p, Key: key, Addr: a})
	}
	s.Base.Areas = append(s.Base.Areas, &data.Area{Code: "10016010", Name: "馬公市", Level: data.District})
	return s, nil
}

// Split returns the dataset indexing the rows that are not held out. A POI whose published
// address is a held-out row's is left out too: its address would put the row back in the index.
func (s *Set) Split() *data.Dataset {
	ds := s.Base
	held := map[string]bool{}
	for _, r := range s.Rows {
		if s.isHeldOut(r) {
			held[houseKey(r.Query)] = true
		}
	}
	ds.POIs = nil
	for _, p := range s.Base.POIs {
		if k := houseKey(p.Address); k == "" || !held[k] {
			ds.POIs = append(ds.POIs, p)
		}
	}
	ds.Addresses = slices.Clone(s.Entrances)
	for _, r := range s.Rows {
		if r.Addr != nil && !s.isHeldOut(r) {
			ds.Addresses = append(ds.Addresses, r.Addr)
		}
	}
	return &ds
}

// All returns the dataset indexing every row.
func (s *Set) All() *data.Dataset {
	ds := s.Base
	ds.Addresses = slices.Clone(s.Entrances)
	for _, r := range s.Rows {
		if r.Addr != nil {
			ds.Addresses = append(ds.Addresses, r.Addr)
		}
	}
	return &ds
}

// isHeldOut reports whether a row is geocoded without being indexed (its fold is the set's):
// house numbers only, the buildings and POIs of Base are always indexed.
func (s *Set) isHeldOut(r Row) bool { return r.Addr != nil && foldOf(r.Key) == s.Fold }

// samplePrefix is the admin prefix written before the sample city's addresses.
const samplePrefix = "广东省深圳市罗湖区"

// LoadSample generates the built-in sample city (深圳市罗湖区, mainland forms): its 门牌 and its
// buildings (翠竹苑3栋) become rows.
func LoadSample() (*Set, error) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		return nil, err
	}
	s := &Set{Name: "sample_luohu", Base: *ds}
	for _, a := range ds.Addresses {
		s.Rows = append(s.Rows, Row{Query: samplePrefix + a.Full, Point: a.Point, Key: a.Full, Addr: a})
	}
	for i, b := range ds.Buildings {
		if i%7 != 0 {
			continue // every seventh building: enough rows without swamping the house numbers
		}
		s.Rows = append(s.Rows, Row{Query: samplePrefix + b.Compound + b.Name, Point: b.Point, Key: b.Compound + b.Name})
	}
	return s, nil
}

// trimAdmin drops the leading city/county and district of an address (noise variant).
func trimAdmin(q string) string {
	for _, p := range []string{"臺北市", "台北市", "澎湖縣", "广东省深圳市罗湖区"} {
		q = strings.TrimPrefix(q, p)
	}
	return q
}
