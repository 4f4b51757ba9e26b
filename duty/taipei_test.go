package duty_test

// Taipei: 臺北市大安區 imported with the project's Taipei mapping (import/testdata/taipei: the
// villages as communities with derived ~100 m grids) plus its OSM main roads, duty lists
// written here for it — a zone per village with a 監督員, a 執法 team per precinct, duty
// segments on the main roads between their cross streets, written as a 城管办 writes them —
// and the 328 real 1999-hotline cases asked who is on duty where and when they came in.
// Taipei City Government open data (data.taipei); roads © OpenStreetMap contributors, ODbL.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/gazetteer"
	"citygeo/geo"
	importer "citygeo/import"
	"citygeo/schema"
)

const taipeiDir = "../../shared/data/taipei_daan"

// taipeiMain are the OSM road classes the lists put duty segments on.
var taipeiMain = []data.RoadClass{"motorway", "trunk", "primary", "secondary"}

func taipeiCity(t *testing.T) duty.City {
	t.Helper()
	if _, err := os.Stat(filepath.Join(taipeiDir, "cases_1999.geojson")); err != nil {
		t.Skipf("Taipei data not present (%s)", taipeiDir)
	}
	m, err := importer.LoadMapping("../import/testdata/taipei/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	// The project's mapping has no road layer: OSM ways, named, with their highway class.
	m.Layers = append(m.Layers, importer.LayerMapping{Match: "*roads*", Kind: schema.Road,
		Fields: map[string]string{"name": "name", "class": "highway"}})
	var files []string
	for _, l := range []string{"admin_district", "admin_police_precinct", "admin_village", "roads_osm"} {
		files = append(files, filepath.Join(taipeiDir, l+".geojson"))
	}
	ds, rep, err := importer.Check(context.Background(), files, nil, importer.Options{Mapping: m})
	if err != nil || rep.Errors > 0 {
		t.Fatalf("import Taipei: %v (%d errors)", err, rep.Errors)
	}
	ds.Roads = slices.DeleteFunc(ds.Roads, func(r *data.Road) bool { return r.Name == "" })
	gx, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gazetteer.New(ds, gazetteer.Options{Locate: gazetteer.LocateWith(gx)})
	if err != nil {
		t.Fatal(err)
	}
	return duty.City{Dataset: ds, Geo: gx, Gazetteer: gz}
}

// taipeiLists writes the lists: people, zones from villages, teams per precinct, and segments
// between every second cross street of each main road (cross streets are the named roads that
// share an OSM node with it, ordered along the road's longer extent).
func taipeiLists(ds *data.Dataset) map[duty.List][][]string {
	l := map[duty.List][][]string{
		duty.ListPeople:      {{"工號", "姓名", "岗位", "手机号"}},
		duty.ListTeams:       {{"id", "name", "leader"}},
		duty.ListZones:       {{"id", "name", "kind", "grids"}},
		duty.ListSegments:    {{"id", "name", "unit"}},
		duty.ListAssignments: {{"id", "post", "zone", "segment", "area", "person", "team"}},
	}
	l[duty.ListPeople][0][0] = "工号"
	person := func(id, name, post string) {
		l[duty.ListPeople] = append(l[duty.ListPeople], []string{id, name, post, fmt.Sprintf("0912%06d", len(l[duty.ListPeople]))})
	}
	for _, a := range ds.Areas {
		switch a.Level {
		case data.Community:
			id := "V" + a.Code
			l[duty.ListZones] = append(l[duty.ListZones], []string{id, a.Name + "責任區", "责任网格", a.Code})
			person("J"+a.Code, a.Name+"監督員", "监督员")
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"A" + id, "监督员", id, "", "", "J" + a.Code, ""})
		case data.Street:
			person("E"+a.Code, a.Name+"隊長", "执法队员")
			l[duty.ListTeams] = append(l[duty.ListTeams], []string{"T" + a.Code, a.Name + "執法小隊", "E" + a.Code})
			l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"A" + a.Code, "执法队员", "", "", a.Code, "", "T" + a.Code})
		}
	}
	for i, s := range taipeiSegments(ds, 2) {
		id := fmt.Sprintf("S%03d", i+1)
		l[duty.ListSegments] = append(l[duty.ListSegments], []string{id, s, "大安區清潔隊"})
		person("M"+id, "清潔隊員"+id, "养护作业人员")
		l[duty.ListAssignments] = append(l[duty.ListAssignments], []string{"A" + id, "养护作业人员", "", id, "", "M" + id, ""})
	}
	return l
}

func taipeiSegments(ds *data.Dataset, step int) []string {
	at := map[orb.Point]map[string]bool{}
	for _, r := range ds.Roads {
		for _, p := range r.Line {
			if at[p] == nil {
				at[p] = map[string]bool{}
			}
			at[p][r.Name] = true
		}
	}
	byName := map[string][]*data.Road{}
	var names []string
	for _, r := range ds.Roads {
		if slices.Contains(taipeiMain, r.Class) {
			if byName[r.Name] == nil {
				names = append(names, r.Name)
			}
			byName[r.Name] = append(byName[r.Name], r)
		}
	}
	var out []string
	for _, n := range names {
		var b orb.Bound
		pos := map[string]float64{}
		for i, r := range byName[n] {
			if i == 0 {
				b = r.Line.Bound()
			}
			b = b.Union(r.Line.Bound())
		}
		axis := 0
		if b.Max[1]-b.Min[1] > b.Max[0]-b.Min[0] {
			axis = 1
		}
		for _, r := range byName[n] {
			for _, p := range r.Line {
				for o := range at[p] {
					if o != n && !strings.HasPrefix(o, strings.TrimRight(n, "一二三四五六七八九段")) {
						if _, seen := pos[o]; !seen {
							pos[o] = p[axis]
						}
					}
				}
			}
		}
		cross := make([]string, 0, len(pos))
		for o := range pos {
			cross = append(cross, o)
		}
		slices.SortFunc(cross, func(a, b string) int { return cmp.Or(cmp.Compare(pos[a], pos[b]), cmp.Compare(a, b)) })
		for i := 0; i+1 < len(cross); i += step {
			text := fmt.Sprintf("%s（%s至%s）", n, cross[i], cross[min(i+step, len(cross)-1)])
			if _, err := gazetteer.ParseSegment(text); err == nil { // a roundabout (圓環) is no road to cut
				out = append(out, text)
			}
		}
	}
	return out
}

// TestTaipei imports the lists and asks for every hotline case who was on duty.
func TestTaipei(t *testing.T) {
	c := taipeiCity(t)
	lists := taipeiLists(c.Dataset)
	r, fs := duty.Parse(csvTables(t, lists))
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	// The segment texts are written by a program from OSM crossings, and the check refuses some
	// with reason (two cross streets at one intersection, a crossing order the program got wrong
	// on a road of several ways, a boulevard's carriageways too far apart). As a GIS clerk
	// would, drop the refused rows and import the rest: that second pass must be clean.
	_, bfs := duty.Build(r, c, duty.Options{MainRoads: taipeiMain})
	reasons := map[string]int{}
	refused := map[string]bool{}
	for _, f := range bfs {
		if f.Warning {
			continue
		}
		key := f.Reason
		if i := strings.LastIndex(key, ": "); i >= 0 {
			key = key[i+2:]
		}
		reasons[key]++
		switch f.Source {
		case "segments.csv":
			refused[f.ID] = true
		case "assignments.csv":
			refused[strings.TrimPrefix(f.ID, "A")] = true // AS012 → S012
		default:
			t.Errorf("finding outside the segments: %v", f)
		}
	}
	written := len(r.Segments)
	for _, l := range []duty.List{duty.ListSegments, duty.ListAssignments} {
		lists[l] = slices.DeleteFunc(lists[l], func(row []string) bool {
			return refused[strings.TrimPrefix(row[0], "A")]
		})
	}
	r, fs = duty.Parse(csvTables(t, lists))
	ix, bfs2 := duty.Build(r, c, duty.Options{MainRoads: taipeiMain})
	if err := append(fs, bfs2...).Err(); err != nil {
		t.Fatalf("second pass: %v", err)
	}
	t.Logf("Taipei lists: %d people, %d zones (villages), %d segments written, %d refused %v, %d imported",
		len(r.People), len(ix.Zones()), written, len(refused), reasons, len(ix.Segments()))
	if len(ix.Zones()) != 53 || len(ix.Segments()) < written*3/4 {
		t.Errorf("%d zones (want 53), %d of %d segments imported", len(ix.Zones()), len(ix.Segments()), written)
	}

	raw, err := os.ReadFile(filepath.Join(taipeiDir, "cases_1999.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	taipeiTime := time.FixedZone("CST", 8*3600)
	withPerson, withSupervisor, withSegment := 0, 0, 0
	var nearest []float64
	for _, f := range fc.Features {
		p := f.Geometry.(orb.Point)
		at, err := time.ParseInLocation("2006-01-02T15:04:05", strings.SplitN(f.Properties.MustString("成案時間"), ".", 2)[0], taipeiTime)
		if err != nil {
			t.Fatal(err)
		}
		ans := ix.OnDuty(duty.Query{Point: p, At: at}, nil)
		person, sup, seg := false, false, false
		for _, od := range ans {
			person = person || od.Person != nil
			sup = sup || od.Post == data.PostSupervisor
			if od.Segment != nil {
				seg = true
				nearest = append(nearest, od.Segment.Distance)
			}
		}
		withPerson += btoi(person)
		withSupervisor += btoi(sup)
		withSegment += btoi(seg)
	}
	slices.Sort(nearest)
	med := math.NaN()
	if len(nearest) > 0 {
		med = nearest[len(nearest)/2]
	}
	cov := ix.Coverage()
	t.Logf("Taipei cases: %d; with a person %d, with the village's 監督員 %d, with a road segment's crew %d (median %.1f m off its line)",
		len(fc.Features), withPerson, withSupervisor, withSegment, med)
	t.Logf("Taipei coverage: %d grids, %d without 監督員; %d main roads, %d without a duty segment",
		cov.Grids, len(cov.Unsupervised), cov.MainRoads, len(cov.RoadsWithout))
	if len(fc.Features) != 328 || withPerson != len(fc.Features) {
		t.Errorf("%d of %d cases came back with a person", withPerson, len(fc.Features))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
