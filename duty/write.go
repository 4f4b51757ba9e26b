package duty

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/gazetteer"
)

// Record is one record of a duty list as JSON: field key → value.
type Record = map[string]any

// Records returns the roster as records keyed by list, in the form ReadJSON reads: days as
// 周一,周三, windows as HH:MM-HH:MM, instants in RFC 3339, polygons as GeoJSON geometry, and
// empty fields left out. Phones are left out unless withPhones, and handset ids that are phone
// numbers masked: the read routes show them only to roles that may call people.
func Records(r *data.Roster, withPhones bool) map[List][]Record {
	out := map[List][]Record{}
	put := func(l List, o Record) {
		for k, v := range o {
			if v == "" || v == false || v == nil {
				delete(o, k)
			}
		}
		out[l] = append(out[l], o)
	}
	for _, p := range r.People {
		o := Record{"id": p.ID, "name": p.Name, "post": string(p.Post), "department_code": p.Department.Code,
			"department": p.Department.Name, "team": p.Team, "device": p.Device, "away": p.Away}
		if withPhones {
			o["phone"] = p.Phone
		} else {
			o["device"] = gazetteer.MaskPhones(p.Device) // a handset id may be its SIM's number
		}
		put(ListPeople, o)
	}
	for _, t := range r.Teams {
		put(ListTeams, Record{"id": t.ID, "name": t.Name, "department_code": t.Department.Code, "department": t.Department.Name, "leader": t.Leader})
	}
	for _, z := range r.Zones {
		o := Record{"id": z.ID, "name": z.Name, "kind": string(z.Kind)}
		if len(z.Grids) > 0 {
			o["grids"] = z.Grids
		}
		if len(z.Polygon) > 0 {
			o["polygon"] = geojson.NewGeometry(z.Polygon)
		}
		put(ListZones, o)
	}
	for _, s := range r.Segments {
		put(ListSegments, Record{"id": s.ID, "name": s.Name, "unit_code": s.Unit.Code, "unit": s.Unit.Name})
	}
	for _, s := range r.Shifts {
		put(ListShifts, Record{"id": s.ID, "name": s.Name, "days": daysText(s.Days), "window": windowText(&s.Window)})
	}
	for _, a := range r.Assignments {
		put(ListAssignments, Record{"id": a.ID, "post": string(a.Post), "zone": a.Zone, "segment": a.Segment, "area": a.Area,
			"person": a.Person, "team": a.Team, "shift": a.Shift})
	}
	for _, d := range r.Delegations {
		o := Record{"id": d.ID, "from": d.From, "to": d.To, "days": daysText(d.Days), "while_away": d.WhileAway,
			"starts": instantText(d.Starts), "ends": instantText(d.Ends)}
		if d.Window != nil {
			o["window"] = windowText(d.Window)
		}
		put(ListDelegations, o)
	}
	return out
}

// WriteJSON writes the whole roster, phones included, as one JSON document of Records: reading
// it back gives the same roster. It is how a server keeps the lists an import gave it.
func WriteJSON(w io.Writer, r *data.Roster) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(Records(r, true)); err != nil {
		return fmt.Errorf("write duty lists: %w", err)
	}
	return nil
}

var dayNames = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func daysText(ds []time.Weekday) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = dayNames[d]
	}
	return strings.Join(parts, ",")
}

func windowText(w *data.TimeWindow) string {
	if w.From == w.To {
		return "全天"
	}
	return w.From.String() + "-" + w.To.String()
}

func instantText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
