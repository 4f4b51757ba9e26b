package api

import (
	"encoding/json"
	"strings"
	"testing"

	"citygeo/gazetteer"
	"citygeo/geo"
)

// TestAMapRegeocodeCity checks regeo's province and city as AMap writes them: a municipality's
// city is [] (北京市 is its province), a prefecture city is named, and a point in no district
// served names neither (nor China), whatever the deployment.
func TestAMapRegeocodeCity(t *testing.T) {
	beijing := gazetteer.Deployment{Province: "北京市", City: "北京市"}
	shenzhen := gazetteer.Deployment{Province: "广东省", City: "深圳市"}
	in := func(code, name string) gazetteer.Reverse {
		return gazetteer.Reverse{Place: gazetteer.Place{District: gazetteer.AreaRef{Code: code, Name: name}}, Formatted: name + "建国路1号"}
	}
	for _, c := range []struct {
		name string
		r    gazetteer.Reverse
		dep  gazetteer.Deployment
		want string // addressComponent's country, province, city and the formatted address, as JSON
	}{
		{"municipality", in("110105", "朝阳区"), beijing, `"中国" "北京市" [] "北京市朝阳区建国路1号"`},
		{"prefecture city", in("440303", "罗湖区"), shenzhen, `"中国" "广东省" "深圳市" "广东省深圳市罗湖区建国路1号"`},
		{"outside", gazetteer.Reverse{}, shenzhen, `[] [] [] []`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := amapRegeocodeOf(c.r, c.dep, geo.GCJ02, false)
			var parts []string
			for _, v := range []amapStr{rc.AddressComponent.Country, rc.AddressComponent.Province, rc.AddressComponent.City, rc.FormattedAddress} {
				b, _ := json.Marshal(v)
				parts = append(parts, string(b))
			}
			if got := strings.Join(parts, " "); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}
