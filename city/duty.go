package city

import "citygeo/duty"

// DutyCity returns the snapshot as the city package duty resolves duty lists against: its
// dataset, grids and areas, and gazetteer. The duty lists are kept apart from dataset versions
// (they change daily); duty.Board builds their index for each snapshot served.
func (s *Snapshot) DutyCity() duty.City {
	return duty.City{Dataset: s.Dataset, Geo: s.Geo, Gazetteer: s.Gazetteer}
}
