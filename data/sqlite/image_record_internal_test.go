package sqlite

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// recordStore opens a new store and saves ds as its first version, its image the record.
func recordStore(t *testing.T, ds *data.Dataset) (*Store, int64) {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	v, err := s.Save(context.Background(), ds, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// layerStorage counts, per imaged layer of version v, the features in rows, in chunks that are
// their record, and in chunks that copy rows.
func layerStorage(t *testing.T, s *Store, v int64) map[data.Layer][3]int {
	t.Helper()
	got := map[data.Layer][3]int{}
	for l := range imaged {
		var c [3]int
		err := s.db.QueryRow(`SELECT (SELECT count(*) FROM feature WHERE version = ?1 AND layer = ?2),
			(SELECT coalesce(sum(i.n), 0) FROM layer_image i JOIN image_record r USING (version, layer, lo) WHERE i.version = ?1 AND i.layer = ?2),
			(SELECT coalesce(sum(i.n), 0) FROM layer_image i WHERE i.version = ?1 AND i.layer = ?2
				AND NOT EXISTS (SELECT 1 FROM image_record r WHERE r.version = i.version AND r.layer = i.layer AND r.lo = i.lo))`,
			v, string(l)).Scan(&c[0], &c[1], &c[2])
		if err != nil {
			t.Fatal(err)
		}
		if c != [3]int{} {
			got[l] = c
		}
	}
	return got
}

// TestImageRecord saves versions whose image is the record of the imaged layers: those features
// get no rows, unless the image cannot hold one (then it and the layer's later features do), and
// every load gives what a store of rows gives.
func TestImageRecord(t *testing.T) {
	city, notUTF8 := imageCities(t)
	tests := []struct {
		name string
		ds   *data.Dataset
		want map[data.Layer][3]int // rows, record, copy
	}{
		{"sample city", city, map[data.Layer][3]int{data.LayerComponent: {0, len(city.Components), 0}, data.LayerAddress: {0, len(city.Addresses), 0},
			data.LayerBuilding: {0, len(city.Buildings), 0}, data.LayerGrid: {0, len(city.Grids), 0}}},
		{"more than a chunk", pointCity(imageChunk + 10), map[data.Layer][3]int{data.LayerComponent: {0, imageChunk + 10, 0}}},
		{"a feature the image cannot hold ends its layer's image", notUTF8, map[data.Layer][3]int{
			data.LayerComponent: {len(notUTF8.Components) - 3, 3, 0}, data.LayerAddress: {0, 3, 0}, data.LayerBuilding: {0, 2, 0}, data.LayerGrid: {0, 2, 0}}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, v := recordStore(t, tt.ds)
			if got := layerStorage(t, s, v); !mapsEqual(got, tt.want) {
				t.Errorf("stored (rows, record, copy) = %v, want %v", got, tt.want)
			}
			rs, rv := savedStore(t, tt.ds)
			rs.rowsOnly = true
			rows, err := rs.Load(ctx, rv)
			if err != nil {
				t.Fatal(err)
			}
			s.rowsOnly = true // a record is read all the same
			got, err := s.Load(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			sameImagedLayers(t, rows, got)
			// WriteImage has nothing to add to a version whose image is the record.
			if w, err := s.WriteImage(ctx, got); err != nil || len(w) > 0 {
				t.Errorf("WriteImage = %v, %v; want nothing written", w, err)
			}
		})
	}
}

func mapsEqual(a, b map[data.Layer][3]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestImageRecordDamaged breaks the chunks that are a version's record: a load must fail, naming
// the layer, never serve the layer without them.
func TestImageRecordDamaged(t *testing.T) {
	tests := []struct {
		name, damage, want string
	}{
		{"a chunk that does not decode", `UPDATE layer_image SET data = x'0501' WHERE lo = 0`, "component image"},
		{"a chunk of a format this binary does not read", `UPDATE layer_image SET format = 99`, "format 99"},
		{"a lost chunk", `DELETE FROM layer_image WHERE lo = 0`, "component image: chunk of #65536"},
		{"a chunk that no longer claims to be the record", `DELETE FROM image_record WHERE lo > 0`, "1 of its 2 chunks are the record"},
		{"every chunk lost", `DELETE FROM layer_image`, "component image: 2 chunks listed as the record, 0 found"},
		{"a lost row after the chunks", `DELETE FROM feature WHERE layer = 'component' AND seq = 65540`, "65545 component features read, the version has 65546"},
		// Without the list, the chunks read as a copy of rows that do not exist.
		{"the list of the record's chunks lost", `DELETE FROM image_record`, "8 component features read, the version has 65546"},
		{"the list lost and a chunk that does not decode", `DELETE FROM image_record; UPDATE layer_image SET data = x'0501' WHERE lo = 0`,
			"component features read, the version has 65546"},
		{"the version's counts unreadable", `UPDATE dataset_version SET counts = 'x'`, "its feature counts do not read"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := pointCity(imageChunk + 10)
			ds.Components[imageChunk+2].Name = "bad \xff text" // the last 8 in rows
			s, v := recordStore(t, ds)
			if _, err := s.db.ExecContext(ctx, tt.damage); err != nil {
				t.Fatal(err)
			}
			ds, err := s.Load(ctx, v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %d components, %v; want an error with %q", ds.Count(data.LayerComponent), err, tt.want)
			}
		})
	}
}

// TestImageRecordLoadFeatures reads features of each imaged layer by id from chunks that are
// their record (an address's or a building's id in decimal, as its fid), from the rows after a
// feature the image could not hold, and not at all for ids the version lacks.
func TestImageRecordLoadFeatures(t *testing.T) {
	ds := pointCity(imageChunk + 10)
	ds.Components[imageChunk+4].Name = "bad \xff text" // the rest of the layer in rows
	edges := edgeCity()
	ds.Grids, ds.Addresses, ds.Buildings = edges.Grids, edges.Addresses, edges.Buildings
	s, v := recordStore(t, ds)
	if got := layerStorage(t, s, v)[data.LayerComponent]; got != [3]int{6, imageChunk + 4, 0} {
		t.Fatalf("components stored (rows, record, copy) = %v", got)
	}
	ctx := context.Background()
	tests := []struct {
		layer data.Layer
		ids   []string
		want  []string
	}{
		{data.LayerComponent, []string{ds.Components[5].ID, ds.Components[imageChunk+1].ID, ds.Components[imageChunk+8].ID, "4403030101099999", "nope"},
			[]string{ds.Components[5].ID, ds.Components[imageChunk+1].ID, ds.Components[imageChunk+8].ID}},
		{data.LayerComponent, []string{ds.Components[imageChunk+4].ID}, []string{ds.Components[imageChunk+4].ID}},
		{data.LayerGrid, []string{"440303001001002", "440303001001003"}, []string{"440303001001002"}},
		{data.LayerComponent, []string{"0"}, nil},
		{data.LayerAddress, []string{"1099511627776", "3", "2"}, []string{"1099511627776", "3"}},
		{data.LayerBuilding, []string{"8", "9"}, []string{"8"}},
	}
	// Damaged filters: every chunk is looked at, none hidden (its ids would be taken for new
	// ones), and the library's panic on a filter of no bits does not reach the caller.
	for _, filters := range []string{
		"", // as saved
		`x'00'`,
		`x'0000000000000000' || x'0000000000000001' || x'0000000000000000'`, // m = 0, k = 1
		`x'0000000000100000' || x'0000000000000003' || x'0000000000000000'`, // m = 2^20, k = 3, no bits
	} {
		if filters != "" {
			if _, err := s.db.ExecContext(ctx, `UPDATE image_record SET fids = `+filters); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			loadFeaturesWant(t, s, v, ds, tt.layer, tt.ids, tt.want)
		}
	}
	// A chunk that cannot be read is an error, as for Load: the ids it held would be taken for
	// new ones.
	for _, tt := range []struct{ damage, want string }{
		{`UPDATE layer_image SET format = 99 WHERE layer = 'component' AND lo = 0`, "format 99"},
		{`DELETE FROM layer_image WHERE layer = 'component' AND lo = 0`, "not found"},
	} {
		if _, err := s.db.ExecContext(ctx, tt.damage); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadFeatures(ctx, v, data.LayerComponent, []string{ds.Components[imageChunk+1].ID}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadFeatures after %s = %v, want an error with %q", tt.damage, err, tt.want)
		}
	}
}

// TestImageRecordLoadFeaturesOrder checks that LoadFeatures gives a duplicated id's features in
// the order of the version, as a store of rows does, when one lies in the record's chunks and
// one in the rows after them: an upsert's base keeps the last.
func TestImageRecordLoadFeaturesOrder(t *testing.T) {
	city := func() *data.Dataset {
		return &data.Dataset{Addresses: []*data.Address{
			{ID: 5, Road: "建设路", Number: 1, Full: "first", Point: orb.Point{114.1, 22.5}},
			{ID: 6, Road: "建设路", Number: 2, Full: "bad \xff", Point: orb.Point{114.1, 22.5}}, // ends the image
			{ID: 5, Road: "建设路", Number: 3, Full: "second", Point: orb.Point{114.1, 22.5}},
		}}
	}
	numbers := func(s *Store, v int64) []int {
		fs, err := s.LoadFeatures(context.Background(), v, data.LayerAddress, []string{"5"})
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, a := range fs.Addresses {
			out = append(out, a.Number)
		}
		return out
	}
	rows, rv := savedStore(t, city())
	record, v := recordStore(t, city())
	if got, want := numbers(record, v), numbers(rows, rv); !slices.Equal(got, want) || !slices.Equal(want, []int{1, 3}) {
		t.Errorf("LoadFeatures(5) numbers: record store %v, store of rows %v; want [1 3]", got, want)
	}
}

// loadFeaturesWant checks that LoadFeatures of ids in layer l of version v gives want, each
// feature as saved in ds.
func loadFeaturesWant(t *testing.T, s *Store, v int64, ds *data.Dataset, l data.Layer, ids, want []string) {
	t.Helper()
	fs, err := s.LoadFeatures(context.Background(), v, l, ids)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range fs.Count(l) {
		switch l {
		case data.LayerComponent:
			c := fs.Components[i]
			got = append(got, c.ID)
			saved := ds.Components[slices.IndexFunc(ds.Components, func(x *data.Component) bool { return x.ID == c.ID })]
			if utf8.ValidString(saved.Name) && c.Name != saved.Name {
				t.Errorf("%s: name %q, want %q", c.ID, c.Name, saved.Name)
			}
		case data.LayerGrid:
			got = append(got, fs.Grids[i].Code)
		case data.LayerAddress:
			got = append(got, strconv.FormatUint(fs.Addresses[i].ID, 10))
		case data.LayerBuilding:
			got = append(got, strconv.FormatUint(fs.Buildings[i].ID, 10))
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("LoadFeatures(%s, %v) = %v, want %v", l, ids, got, want)
	}
}

// TestImageRecordRefusesAsRows saves values the rows' attributes refuse: a version whose image
// is the record must refuse them too (the image hands them to the rows), not store them.
func TestImageRecordRefusesAsRows(t *testing.T) {
	tests := []struct {
		name   string
		change func(ds *data.Dataset)
	}{
		{"a scheme with no name", func(ds *data.Dataset) { ds.Components[1].Scheme = data.Scheme(200) }},
		{"a status with no name", func(ds *data.Dataset) { ds.Components[1].Status = data.Status(200) }},
		{"a date past 9999", func(ds *data.Dataset) {
			ds.Components[1].InitDate = data.Date(int64(math.MaxInt32))
		}},
		{"a building point that is not a number", func(ds *data.Dataset) { ds.Buildings[0].Point[0] = math.NaN() }},
		{"a grid area that is infinite", func(ds *data.Dataset) { ds.Grids[0].AreaM2 = math.Inf(1) }},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rowsToo := range []bool{true, false} {
				ds := edgeCity()
				tt.change(ds)
				s, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
				if err != nil {
					t.Fatal(err)
				}
				s.rowsToo = rowsToo
				if _, err := s.Save(ctx, ds, "test"); err == nil {
					t.Errorf("rows too %v: Save succeeded, want the rows' refusal", rowsToo)
				}
				s.Close()
			}
		})
	}
}

// TestFidFilter checks that a chunk's fid filter takes every id it holds, few it does not, and
// all when it does not read.
func TestFidFilter(t *testing.T) {
	var in, out []string
	for i := range 4096 {
		in = append(in, fmt.Sprintf("44030301%08d", 2*i))
		out = append(out, fmt.Sprintf("44030301%08d", 2*i+1))
	}
	f := fidFilter(in)
	for _, id := range in {
		if !mayHold(f, []string{"nope", id}) {
			t.Fatalf("the filter of a chunk holding %s says it does not", id)
		}
	}
	wrong := 0
	for _, id := range out {
		if mayHold(f, []string{id}) {
			wrong++
		}
	}
	if share := float64(wrong) / float64(len(out)); share > 2*fidFalsePositives {
		t.Errorf("%.2f %% of the ids not held pass the filter, want about %.0f %%", 100*share, 100*fidFalsePositives)
	}
	if !mayHold([]byte{1, 2, 3}, []string{"x"}) || !mayHold(nil, []string{"x"}) {
		t.Error("a filter that does not read must let the chunk be looked at")
	}
	if mayHold(fidFilter(nil), []string{"x"}) {
		t.Error("an empty chunk's filter holds x")
	}
}
