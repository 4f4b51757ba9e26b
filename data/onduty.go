package data

// Via says which kind of place an on-duty answer came through.
type Via string

// The places an assignment can hang on, most specific first for area posts.
const (
	ViaGrid      Via = "grid"
	ViaZone      Via = "zone"
	ViaCommunity Via = "community"
	ViaStreet    Via = "street"
	ViaDistrict  Via = "district"
	ViaSegment   Via = "segment"
)

// PersonRef names a person in an answer. Phone is left empty by the domain packages: the HTTP
// layer fills it only for roles allowed to see it.
type PersonRef struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Post       Post    `json:"post,omitempty"`
	Department DeptRef `json:"department,omitzero"`
	Team       string  `json:"team,omitempty"`
	Device     string  `json:"device,omitempty"`
	Phone      string  `json:"phone,omitempty"`
}

// Ref returns the person as named in an answer, without the phone.
func (p *Person) Ref() *PersonRef {
	if p == nil {
		return nil
	}
	return &PersonRef{ID: p.ID, Name: p.Name, Post: p.Post, Department: p.Department, Team: p.Team, Device: p.Device}
}

// TeamRef names a team in an answer.
type TeamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ZoneRef names a zone in an answer.
type ZoneRef struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Kind ZoneKind `json:"kind"`
}

// SegmentRef names a road segment in an answer, with how far the point lies from it.
type SegmentRef struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Road     string  `json:"road"`
	Side     Side    `json:"side,omitempty"`
	Distance float64 `json:"distance_m"`
}

// DelegationRef names the delegation that moved a post, and from whom.
type DelegationRef struct {
	ID     string     `json:"id"`
	From   *PersonRef `json:"from"`
	Reason string     `json:"reason"` // "window" (its time conditions hold) or "away" (From is marked away)
}

// OnDuty is one answer to "who is on duty here and now": the post, the person to call (after
// any delegation) or the team, the duty unit, and what decided it — the place it came through,
// the assignment, its shift and the delegation.
type OnDuty struct {
	Post       Post           `json:"post"`
	PostName   string         `json:"post_name"`
	Person     *PersonRef     `json:"person,omitempty"`
	Team       *TeamRef       `json:"team,omitempty"`
	Unit       DeptRef        `json:"unit,omitzero"`
	Via        Via            `json:"via"`
	Area       string         `json:"area,omitempty"` // the grid or area code for Via grid … district
	Zone       *ZoneRef       `json:"zone,omitempty"`
	Segment    *SegmentRef    `json:"segment,omitempty"`
	Assignment string         `json:"assignment"`
	Shift      string         `json:"shift,omitempty"`
	Delegation *DelegationRef `json:"delegation,omitempty"`
}
