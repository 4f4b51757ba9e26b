package api

import (
	"strings"

	"citygeo/gazetteer"
	"citygeo/geo"
)

// amapRegeocodeOf renders a reverse answer as AMap's regeocode. The lists are present (and []
// when empty) exactly when lists is set, as extensions=all does on AMap.
func amapRegeocodeOf(r gazetteer.Reverse, dep gazetteer.Deployment, crs geo.CRS, lists bool) amapRegeocode {
	pl := r.Place
	if pl.District.Code == "" {
		// Outside every district served (the sea, another city): AMap names the place there,
		// this server knows none, so it does not name its own province and city either.
		dep = gazetteer.Deployment{}
	}
	city := dep.City
	if city == dep.Province {
		city = "" // a municipality: AMap's regeo writes its city as [] (北京市 is the province)
	}
	ac := amapAddressComponent{Province: amapStr(dep.Province), City: amapStr(city),
		District: amapStr(pl.District.Name), Adcode: amapStr(pl.District.Code), Township: amapStr(pl.Street.Name),
		Towncode: amapStr(amapTowncode(pl.Street.Code)), Neighborhood: amapNameType{Name: amapStr(pl.Community.Name)},
		BusinessAreas: []struct{}{}, Grid: pl.Grid}
	if dep.Province != "" {
		ac.Country = "中国"
	}
	if h := r.House; h != nil {
		ac.StreetNumber = amapStreetNumber{Street: amapStr(h.Street), Number: amapStr(h.Number),
			Location: amapLocation(h.Point, crs), Direction: amapStr(h.Direction), Distance: amapMetres(h.Distance)}
	}
	out := amapRegeocode{FormattedAddress: amapStr(joinDistinct([]string{dep.Province, dep.City, r.Formatted})), AddressComponent: ac}
	if lists {
		pois, roads, inters := []amapPOI{}, []amapRoad{}, []amapRoadinter{}
		for _, n := range r.POIs {
			pois = append(pois, amapPOI{ID: amapStr(n.ID), Name: amapStr(n.Name), Type: amapStr(n.Category),
				Direction: amapStr(n.Direction), Distance: amapMetres(n.Distance), Location: amapLocation(n.Point, crs),
				Address: amapStr(n.Address)})
		}
		for _, n := range r.Roads {
			roads = append(roads, amapRoad{ID: amapStr(n.ID), Name: amapStr(n.Name), Direction: amapStr(n.Direction),
				Distance: amapMetres(n.Distance), Location: amapLocation(n.Point, crs)})
		}
		for _, n := range r.Intersections {
			x := amapRoadinter{Direction: amapStr(n.Direction), Distance: amapMetres(n.Distance), Location: amapLocation(n.Point, crs)}
			if len(n.Roads) == 2 {
				x.FirstName, x.SecondName = amapStr(n.Roads[0]), amapStr(n.Roads[1])
				x.FirstID, x.SecondID = amapStr("road:"+n.Roads[0]), amapStr("road:"+n.Roads[1])
			}
			inters = append(inters, x)
		}
		out.POIs, out.Roads, out.Roadinters, out.AOIs = &pois, &roads, &inters, &[]struct{}{}
	}
	return out
}

// amapTowncode writes a 9-digit 街道 code as AMap's 12-digit towncode (440303001 →
// 440303001000); other codes are kept as they are.
func amapTowncode(code string) string {
	if len(code) == 9 && strings.Trim(code, "0123456789") == "" {
		return code + "000"
	}
	return code
}
