package data

// NewGrid returns a copy of g in the arena: its text in the arena's Strings (its community
// interned), its polygon kept. g itself may be reused.
func NewGrid(a *Arena[Grid], g *Grid) *Grid {
	out, s := a.New(), a.Strings()
	*out = Grid{Code: s.MakeString(g.Code), Community: s.InternString(g.Community), Polygon: a.Polygon(g.Polygon),
		AreaM2: g.AreaM2, Derived: g.Derived}
	return out
}

// NewAddress returns a copy of x in the arena: its full text in the arena's Strings, the parts
// that repeat (road, section, lane, alley, suffix, community, source) interned there.
func NewAddress(a *Arena[Address], x *Address) *Address {
	out, s := a.New(), a.Strings()
	*out = Address{ID: x.ID, Road: s.InternString(x.Road), Section: s.InternString(x.Section), Lane: s.InternString(x.Lane),
		Alley: s.InternString(x.Alley), Number: x.Number, Suffix: s.InternString(x.Suffix), Full: s.MakeString(x.Full),
		Point: x.Point, Community: s.InternString(x.Community), Source: s.InternString(x.Source)}
	return out
}

// NewBuilding returns a copy of b in the arena: its text in the arena's Strings (its compound
// interned), its footprint kept.
func NewBuilding(a *Arena[Building], b *Building) *Building {
	out, s := a.New(), a.Strings()
	*out = Building{ID: b.ID, Compound: s.InternString(b.Compound), Name: s.MakeString(b.Name), Address: s.MakeString(b.Address),
		Point: b.Point, Footprint: a.Polygon(b.Footprint)}
	return out
}
