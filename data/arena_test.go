package data

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"
)

// fillArena makes n components in a, every pointer field set through the arena, and returns them
// with the values each should keep.
func fillArena(a *ComponentArena, n int) ([]*Component, []Component) {
	cs := make([]*Component, n)
	want := make([]Component, n)
	for i := range cs {
		s := a.Strings()
		c := a.New()
		*c = Component{
			ID: s.Make(fmt.Appendf(nil, "44030301010%05d", i)), Major: s.Intern([]byte("01")),
			Minor: s.Intern([]byte("01")), Name: s.Make(fmt.Appendf(nil, "井盖%d", i)),
			Grid: s.Intern(fmt.Appendf(nil, "440303001001%03d", i%7)), Source: s.Intern([]byte("实测")),
			Note: s.Make([]byte(strings.Repeat("长", i%2*stringsChunk/8))), Owner: MakeDept("D1", "区水务局"),
		}
		switch i % 3 {
		case 0:
			c.Geometry = a.Point(orb.Point{114 + float64(i)/1e5, 22.5})
		case 1:
			c.Geometry = a.Geometry(orb.LineString{{114, 22.5}, {114 + float64(i)/1e5, 22.6}})
		case 2:
			// The map is traced as any heap object: what it holds need not be the arena's.
			c.Extra = a.Extra(map[string]string{"MATERIAL": fmt.Sprintf("铸铁%d", i)})
		}
		// want shares no memory with the arena, or it would keep the arena's memory alive.
		cs[i], want[i] = c, Component{ID: strings.Clone(c.ID), Name: strings.Clone(c.Name),
			Note: strings.Clone(c.Note), Grid: strings.Clone(c.Grid), Geometry: orb.Clone(c.Geometry)}
		if c.Extra != nil {
			want[i].Extra = map[string]string{"MATERIAL": fmt.Sprintf("铸铁%d", i)}
		}
	}
	return cs, want
}

func componentID(c *Component) string { return c.ID }

// churn collects three times, each followed by garbage the size of a chunk of text, filled, and
// whatever more makes: were the arena's memory freed, the garbage would reuse and overwrite it.
func churn(more func()) {
	for range 3 {
		runtime.GC()
		for range 64 {
			b := make([]byte, stringsChunk)
			for i := range b {
				b[i] = 'x'
			}
			garbage = b
			more()
		}
	}
}

// garbage is where tests put what they allocate to be collected, so that it is made on the heap.
var garbage any

func TestArenaKeepsWhatComponentsUse(t *testing.T) {
	var a ComponentArena
	n := 2*perChunk[Component]() + 10
	cs, want := fillArena(&a, n)
	if got, err := VerifyArena(cs, componentID); err != nil || got != n {
		t.Fatalf("VerifyArena = %d, %v; want %d, nil", got, err, n)
	}
	a = ComponentArena{} // only cs holds the arena now
	churn(func() {
		p := make([]orb.Point, pointsChunk)
		for i := range p {
			p[i] = orb.Point{-1, -1}
		}
		garbage = p
	})
	for i, c := range cs {
		if c.ID != want[i].ID || c.Name != want[i].Name || c.Note != want[i].Note || c.Grid != want[i].Grid ||
			!orb.Equal(c.Geometry, want[i].Geometry) || fmt.Sprint(c.Extra) != fmt.Sprint(want[i].Extra) {
			t.Fatalf("component %d after collections = %+v, want %+v", i, *c, want[i])
		}
	}
}

func TestVerifyArenaFindsHeapPointers(t *testing.T) {
	for _, tc := range []struct {
		field string
		set   func(c *Component)
	}{
		{"Name", func(c *Component) { c.Name = fmt.Sprint("井盖", 1) }},
		{"Grid", func(c *Component) { c.Grid = Intern("440303001001001") }},
		{"Geometry", func(c *Component) { c.Geometry = orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}} }},
		{"Extra", func(c *Component) { c.Extra = map[string]string{"a": "b"} }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			var a ComponentArena
			cs, _ := fillArena(&a, 3)
			tc.set(cs[1])
			_, err := VerifyArena(cs, componentID)
			if err == nil || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), cs[1].ID) {
				t.Errorf("VerifyArena = %v, want an error naming %s of %s", err, tc.field, cs[1].ID)
			}
		})
	}
}

func TestVerifyArenaSkipsHeapComponents(t *testing.T) {
	c := &Component{ID: "4403030101000001", Name: fmt.Sprint("井盖", 1), Geometry: orb.Point{1, 2}}
	if n, err := VerifyArena([]*Component{c}, componentID); n != 0 || err != nil {
		t.Errorf("VerifyArena(heap component) = %d, %v; want 0, nil", n, err)
	}
}

// TestArenaChunkIsScannedOnlyForItsKeep pins the layout the arena rests on: the collector scans
// a chunk up to its type's last pointer word, so keep must be its only one and come first.
func TestArenaChunkIsScannedOnlyForItsKeep(t *testing.T) {
	if off := unsafe.Offsetof(arenaChunk{}.keep); off != 0 {
		t.Errorf("arenaChunk.keep at offset %d, want 0", off)
	}
	if perChunk[Component]() < 1000 || unsafe.Sizeof(arenaChunk{}) != arenaChunkBytes {
		t.Errorf("a chunk holds %d components in %d bytes", perChunk[Component](), unsafe.Sizeof(arenaChunk{}))
	}
}

func TestPinComponentsKeepsArenaAndHeapComponents(t *testing.T) {
	var a ComponentArena
	n := 3 * perChunk[Component]()
	cs, want := fillArena(&a, n)
	// Every tenth a heap component, as Apply leaves an edited one.
	for i := 0; i < n; i += 10 {
		c := &Component{ID: fmt.Sprint("heap", i), Name: fmt.Sprint("改", i), Geometry: orb.Point{1, float64(i)}}
		cs[i], want[i] = c, Component{ID: c.ID, Name: c.Name, Geometry: orb.Point{1, float64(i)}}
	}
	pinned := Pin(cs)
	if len(pinned) != n || cap(pinned) != n {
		t.Fatalf("PinComponents: len %d cap %d, want %d", len(pinned), cap(pinned), n)
	}
	a, cs = ComponentArena{}, nil // only the pinned array holds the components now
	churn(func() { garbage = &Component{ID: strings.Repeat("y", 16), Name: strings.Repeat("z", 8)} })
	for i, c := range pinned {
		if c.ID != want[i].ID || c.Name != want[i].Name || !orb.Equal(c.Geometry, want[i].Geometry) {
			t.Fatalf("component %d after collections = %+v, want %+v", i, *c, want[i])
		}
	}
}

func TestPinComponentsLeavesSmallSlices(t *testing.T) {
	cs := []*Component{{ID: "1"}, {ID: "2"}}
	if got := Pin(cs); &got[0] != &cs[0] {
		t.Error("PinComponents copied a slice of two")
	}
}

func TestVerifyArenaOtherLayers(t *testing.T) {
	ring := func() orb.Polygon { return orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}} }
	var grids Arena[Grid]
	kept, stray := grids.New(), grids.New()
	s := grids.Strings()
	*kept = Grid{Code: s.MakeString("440303001001001"), Community: s.InternString("440303001001"), Polygon: grids.Polygon(ring())}
	*stray = Grid{Code: s.MakeString("440303001001002"), Community: s.InternString("440303001001"), Polygon: ring()}
	code := func(g *Grid) string { return g.Code }
	if n, err := VerifyArena([]*Grid{kept}, code); n != 1 || err != nil {
		t.Errorf("VerifyArena(kept grid) = %d, %v; want 1, nil", n, err)
	}
	if _, err := VerifyArena([]*Grid{kept, stray}, code); err == nil || !strings.Contains(err.Error(), "Grid.Polygon") || !strings.Contains(err.Error(), stray.Code) {
		t.Errorf("VerifyArena(grid with a heap polygon) = %v, want an error naming Grid.Polygon of %s", err, stray.Code)
	}

	var addrs Arena[Address]
	a := addrs.New()
	*a = Address{ID: 1, Road: addrs.Strings().InternString("和平東路"), Full: strings.Clone("和平東路18號"), Point: orb.Point{121.5, 25}}
	if _, err := VerifyArena([]*Address{a}, func(a *Address) string { return a.Road }); err == nil || !strings.Contains(err.Error(), "Address.Full") {
		t.Errorf("VerifyArena(address with a heap Full) = %v, want an error naming Address.Full", err)
	}
}

// TestPinWhileAnotherArenaGrows pins a layer while another goroutine loads into an arena of its
// own, as a replica does when a fold and a load overlap; under -race it checks that Pin reads
// the other arena's chunks safely.
func TestPinWhileAnotherArenaGrows(t *testing.T) {
	var a ComponentArena
	cs, _ := fillArena(&a, 5000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var other ComponentArena
		for range 20 * perChunk[Component]() {
			other.New().ID = "x"
		}
	}()
	for range 20 {
		if got := Pin(cs); len(got) != len(cs) || got[0] != cs[0] {
			t.Fatal("Pin lost a component")
		}
	}
	<-done
}

func TestPinLeavesHeapLayers(t *testing.T) {
	cs := make([]*Component, 5000)
	for i := range cs {
		cs[i] = &Component{ID: fmt.Sprint(i)}
	}
	if got := Pin(cs); &got[0] != &cs[0] {
		t.Error("Pin copied a layer with no feature in an arena")
	}
}
