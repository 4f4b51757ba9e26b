package importer

import (
	"fmt"
	"math"

	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// farFromRest is how far (metres) a layer's centre may lie from the main body of a dataset
// before it is taken as read in the wrong CRS: a city is a few tens of kilometres across, and
// a wrong zone moves a layer by hundreds.
const farFromRest = 50e3

// inAreaOfUse checks a converted geometry against its declared CRS's area of use. Outside it,
// the feature gets an error finding that names the CRS its raw coordinates were probably in,
// and false is returned.
func (x *featureCtx) inAreaOfUse(g orb.Geometry) bool {
	crs := x.src.CRS
	area := geo.AreaOfUse(crs)
	b := g.Bound()
	if area.Contains(b.Min) && area.Contains(b.Max) {
		return true
	}
	if x.r.guess == "" {
		raw := geo.FromCGCS2000(b.Min, crs)
		x.r.guess = fmt.Sprintf("coordinates like (%.6g, %.6g) are outside the area of use of %s (lon %g…%g, lat %g…%g)",
			raw[0], raw[1], crs.Code(), area.Min[0], area.Max[0], area.Min[1], area.Max[1])
		if why := geo.Explain(raw, orb.Bound{}); why != "" && !math.IsNaN(raw[0]) {
			x.r.guess += ": " + why
		}
	}
	x.id = x.get(schema.Key(x.r.Kind))
	x.finding("crs.area_of_use", "geometry", fmt.Sprint(b.Min), x.r.guess, SeverityError)
	return false
}

// checkTogether flags each source layer whose features lie far from the main body of the
// dataset (the layer with most features and the layers near it, or base when the import has one
// layer): read in the wrong CRS or zone. The finding says which CRS would put it in place and is
// then an error; without such a CRS it is a warning.
func (c *converter) checkTogether(base orb.Bound) {
	var anchor *resolved
	for _, r := range c.order {
		if r.located > 0 && (anchor == nil || r.located > anchor.located) {
			anchor = r
		}
	}
	if anchor == nil {
		return
	}
	body := anchor.bound
	if len(c.order) == 1 {
		if base.IsEmpty() || base == (orb.Bound{}) {
			return
		}
		body = base
	}
	// The body grows by every layer near it, until none is left to join: layers that are far
	// from the anchor but near a layer that is near it belong to the body too.
	in := map[*resolved]bool{anchor: true}
	for grew := true; grew; {
		grew = false
		for _, r := range c.order {
			if !in[r] && r.located > 0 && distanceTo(body, r.bound.Center()) <= farFromRest {
				body, in[r], grew = body.Union(r.bound), true, true
			}
		}
	}
	for _, r := range c.order {
		centre := r.bound.Center()
		d := distanceTo(body, centre)
		if r.located == 0 || d <= farFromRest {
			continue
		}
		reason := fmt.Sprintf("the layer lies %.0f km from the rest of the dataset (its centre %.5f, %.5f; the rest within %.4f…%.4f, %.4f…%.4f) after conversion from %s: a wrong CRS or zone",
			d/1000, centre[0], centre[1], body.Min[0], body.Max[0], body.Min[1], body.Max[1], r.src.CRS.Code())
		raw := geo.FromCGCS2000(centre, r.src.CRS)
		// An error when another CRS puts the layer beside the rest (then it was surely read
		// wrong); otherwise the layer may just lie elsewhere (another district's file), and a
		// warning asks to check it.
		sev := SeverityWarning
		for _, g := range geo.GuessCRS(raw, body) {
			if g.CRS != (geo.CRS{}) && g.CRS != r.src.CRS && distanceTo(body, geo.ToCGCS2000(raw, g.CRS)) <= farFromRest {
				reason += fmt.Sprintf("; it was probably meant as %s (%s), which puts it beside the rest", g.CRS.Code(), g.Why)
				sev = SeverityError
				break
			}
		}
		if sev == SeverityWarning {
			reason += "; no other CRS puts it beside the rest: check its CRS"
		}
		c.report.add(Finding{Check: "crs.far_from_rest", Severity: sev, Layer: r.Kind, Index: -1, Field: "crs",
			Value: r.src.CRS.Code(), Reason: reason, File: r.src.Path})
	}
}

// distanceTo is the distance in metres from p to the nearest point of b (0 inside).
func distanceTo(b orb.Bound, p orb.Point) float64 {
	q := orb.Point{math.Max(b.Min[0], math.Min(b.Max[0], p[0])), math.Max(b.Min[1], math.Min(b.Max[1], p[1]))}
	return geo.Distance(p, q)
}
