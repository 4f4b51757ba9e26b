package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/geo"
)

// The contract tests of the AMap-compatible door: amapClient is written against AMap's
// published web service v3 documentation (lbs.amap.com: 地理/逆地理编码, 输入提示, 坐标转换 and
// the error code table), not against this server. It is what an app moving from AMap already
// has; the tests point it at the door by changing only its base URL.

// amapText is a documented string field that AMap writes as [] when it has no value (city of a
// municipality, township, neighborhood): every AMap client has to accept both.
type amapText string

func (t *amapText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		*t = ""
		return nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	*t = amapText(s)
	return err
}

// amapClient calls AMap's web service v3 at base (https://restapi.amap.com in production).
type amapClient struct {
	base, key string
}

type amapBase struct {
	Status   string `json:"status"`
	Info     string `json:"info"`
	Infocode string `json:"infocode"`
	Detail   string `json:"detail"` // citygeo's reason for a failure; AMap has none
}

type amapNT struct {
	Name amapText `json:"name"`
	Type amapText `json:"type"`
}

type amapGeo struct {
	amapBase
	Count    string `json:"count"`
	Geocodes []struct {
		FormattedAddress amapText `json:"formatted_address"`
		Country          amapText `json:"country"`
		Province         amapText `json:"province"`
		Citycode         amapText `json:"citycode"`
		City             amapText `json:"city"`
		District         amapText `json:"district"`
		Township         amapText `json:"township"`
		Neighborhood     amapNT   `json:"neighborhood"`
		Building         amapNT   `json:"building"`
		Adcode           amapText `json:"adcode"`
		Street           amapText `json:"street"`
		Number           amapText `json:"number"`
		Location         amapText `json:"location"`
		Level            amapText `json:"level"`
	} `json:"geocodes"`
}

type amapRegeocode struct {
	FormattedAddress amapText `json:"formatted_address"`
	AddressComponent struct {
		Country      amapText `json:"country"`
		Province     amapText `json:"province"`
		City         amapText `json:"city"`
		Citycode     amapText `json:"citycode"`
		District     amapText `json:"district"`
		Adcode       amapText `json:"adcode"`
		Township     amapText `json:"township"`
		Towncode     amapText `json:"towncode"`
		Neighborhood amapNT   `json:"neighborhood"`
		Building     amapNT   `json:"building"`
		StreetNumber struct {
			Street    amapText `json:"street"`
			Number    amapText `json:"number"`
			Location  amapText `json:"location"`
			Direction amapText `json:"direction"`
			Distance  amapText `json:"distance"`
		} `json:"streetNumber"`
		BusinessAreas []any `json:"businessAreas"`
	} `json:"addressComponent"`
	Pois []struct {
		ID        amapText `json:"id"`
		Name      amapText `json:"name"`
		Type      amapText `json:"type"`
		Direction amapText `json:"direction"`
		Distance  amapText `json:"distance"`
		Location  amapText `json:"location"`
		Address   amapText `json:"address"`
	} `json:"pois"`
	Roads []struct {
		ID        amapText `json:"id"`
		Name      amapText `json:"name"`
		Direction amapText `json:"direction"`
		Distance  amapText `json:"distance"`
		Location  amapText `json:"location"`
	} `json:"roads"`
	Roadinters []struct {
		Direction  amapText `json:"direction"`
		Distance   amapText `json:"distance"`
		Location   amapText `json:"location"`
		FirstID    amapText `json:"first_id"`
		FirstName  amapText `json:"first_name"`
		SecondID   amapText `json:"second_id"`
		SecondName amapText `json:"second_name"`
	} `json:"roadinters"`
	Aois []any `json:"aois"`
}

type amapRegeo struct {
	amapBase
	Regeocode  amapRegeocode   `json:"regeocode"`
	Regeocodes []amapRegeocode `json:"regeocodes"`
}

type amapTips struct {
	amapBase
	Count string `json:"count"`
	Tips  []struct {
		ID       amapText `json:"id"`
		Name     amapText `json:"name"`
		District amapText `json:"district"`
		Adcode   amapText `json:"adcode"`
		Location amapText `json:"location"`
		Address  amapText `json:"address"`
		Typecode amapText `json:"typecode"`
	} `json:"tips"`
}

type amapConvert struct {
	amapBase
	Locations string `json:"locations"`
}

// get calls path with params and the key, decodes into out, and returns the raw object too so
// the contract can check that every documented key is present.
func (a amapClient) get(path string, params url.Values, out any) (map[string]any, error) {
	params.Set("key", a.key)
	resp, err := http.Get(a.base + path + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("%s: decode: %w", path, err)
	}
	var m map[string]any
	return m, json.Unmarshal(raw, &m)
}

// parseLocation reads AMap's "lng,lat".
func parseLocation(s amapText) (orb.Point, error) {
	lng, lat, ok := strings.Cut(string(s), ",")
	x, err1 := strconv.ParseFloat(lng, 64)
	y, err2 := strconv.ParseFloat(lat, 64)
	if !ok || err1 != nil || err2 != nil {
		return orb.Point{}, fmt.Errorf("location %q is not lng,lat", s)
	}
	return orb.Point{x, y}, nil
}

// hasKeys checks the documented keys of an object.
func hasKeys(t *testing.T, what string, obj any, keys ...string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Errorf("%s: not an object: %v", what, obj)
		return
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: documented key %q missing", what, k)
		}
	}
}

// gcj returns a stored point as AMap would write it (GCJ-02).
func gcj(p orb.Point) orb.Point { return geo.FromCGCS2000(p, geo.GCJ02) }

func near(a, b orb.Point) bool { return abs(a[0]-b[0]) < 2e-6 && abs(a[1]-b[1]) < 2e-6 }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestAMapContract(t *testing.T) {
	srv, ds := newSampleServer(t)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := amapClient{base: ts.URL, key: "an-amap-key"} // only the base URL differs from AMap
	a := ds.Addresses[len(ds.Addresses)/3]
	want := gcj(a.Point)

	t.Run("geo", func(t *testing.T) {
		var g amapGeo
		raw, err := client.get("/v3/geocode/geo", url.Values{"address": {"深圳市罗湖区" + a.Full}, "city": {"深圳"}}, &g)
		if err != nil {
			t.Fatal(err)
		}
		hasKeys(t, "geo", raw, "status", "info", "infocode", "count", "geocodes")
		if g.Status != "1" || g.Info != "OK" || g.Infocode != "10000" || g.Count != "1" || len(g.Geocodes) != 1 {
			t.Fatalf("geo: %+v", g)
		}
		hasKeys(t, "geocodes[0]", raw["geocodes"].([]any)[0], "formatted_address", "country", "province", "citycode",
			"city", "district", "township", "neighborhood", "building", "adcode", "street", "number", "location", "level")
		x := g.Geocodes[0]
		p, err := parseLocation(x.Location)
		if err != nil || !near(p, want) {
			t.Errorf("geo location %s (%v), want GCJ-02 %v", x.Location, err, want)
		}
		if x.Level != "门牌号" || x.Province != "广东省" || x.City != "深圳市" || x.District != "罗湖区" || x.Adcode != "440303" ||
			!strings.HasSuffix(string(x.FormattedAddress), a.Full) || !strings.HasPrefix(string(x.FormattedAddress), "广东省深圳市罗湖区") {
			t.Errorf("geo: %+v", x)
		}
		if !strings.HasSuffix(a.Full, string(x.Number)) || !strings.HasPrefix(a.Full, string(x.Street)) || x.Street == "" {
			t.Errorf("geo street %q number %q, want the parts of %s", x.Street, x.Number, a.Full)
		}
	})

	t.Run("geo batch", func(t *testing.T) {
		var g amapGeo
		b := ds.Addresses[len(ds.Addresses)/2]
		if _, err := client.get("/v3/geocode/geo", url.Values{"address": {a.Full + "|" + b.Full}, "batch": {"true"}}, &g); err != nil {
			t.Fatal(err)
		}
		if g.Count != "2" || len(g.Geocodes) != 2 {
			t.Fatalf("batch geo: %+v", g)
		}
		if p, _ := parseLocation(g.Geocodes[1].Location); !near(p, gcj(b.Point)) {
			t.Errorf("batch geo second = %s, want %v", g.Geocodes[1].Location, gcj(b.Point))
		}
	})

	t.Run("regeo", func(t *testing.T) {
		var r amapRegeo
		loc := fmt.Sprintf("%.6f,%.6f", want[0], want[1])
		raw, err := client.get("/v3/geocode/regeo", url.Values{"location": {loc}, "extensions": {"all"}, "radius": {"500"}}, &r)
		if err != nil {
			t.Fatal(err)
		}
		hasKeys(t, "regeo", raw, "status", "info", "infocode", "regeocode")
		rc := raw["regeocode"]
		hasKeys(t, "regeocode", rc, "formatted_address", "addressComponent", "pois", "roads", "roadinters", "aois")
		ac := rc.(map[string]any)["addressComponent"]
		hasKeys(t, "addressComponent", ac, "country", "province", "city", "citycode", "district", "adcode", "township",
			"towncode", "neighborhood", "building", "streetNumber", "businessAreas")
		hasKeys(t, "streetNumber", ac.(map[string]any)["streetNumber"], "street", "number", "location", "direction", "distance")
		x := r.Regeocode
		if r.Status != "1" || x.AddressComponent.District != "罗湖区" || !strings.HasSuffix(string(x.AddressComponent.Township), "街道") ||
			len(x.AddressComponent.Towncode) != 12 || x.AddressComponent.StreetNumber.Number == "" {
			t.Errorf("regeo: %+v", x.AddressComponent)
		}
		if !strings.Contains(string(x.FormattedAddress), a.Full) {
			t.Errorf("regeo formatted %q, want it to name %s", x.FormattedAddress, a.Full)
		}
		if p, _ := parseLocation(x.AddressComponent.StreetNumber.Location); !near(p, want) {
			t.Errorf("regeo streetNumber at %s, want %v", x.AddressComponent.StreetNumber.Location, want)
		}
		if len(x.Roads) == 0 || x.Roads[0].Name == "" || len(x.Pois) == 0 || x.Pois[0].ID == "" {
			t.Errorf("regeo lists: roads %+v pois %+v", x.Roads, x.Pois)
		}
		for _, rd := range x.Roads {
			if _, err := strconv.ParseFloat(string(rd.Distance), 64); err != nil {
				t.Errorf("road distance %q is not a number", rd.Distance)
			}
		}
		var base amapRegeo
		raw, _ = client.get("/v3/geocode/regeo", url.Values{"location": {loc}}, &base)
		if _, ok := raw["regeocode"].(map[string]any)["pois"]; ok {
			t.Error("regeo without extensions=all lists pois")
		}
	})

	t.Run("inputtips", func(t *testing.T) {
		var tp amapTips
		road := []rune(a.Road)
		raw, err := client.get("/v3/assistant/inputtips", url.Values{"keywords": {string(road[:2])}, "city": {"440300"}}, &tp)
		if err != nil {
			t.Fatal(err)
		}
		hasKeys(t, "inputtips", raw, "status", "info", "infocode", "count", "tips")
		if tp.Status != "1" || len(tp.Tips) == 0 || tp.Count != strconv.Itoa(len(tp.Tips)) {
			t.Fatalf("inputtips: %+v", tp)
		}
		hasKeys(t, "tips[0]", raw["tips"].([]any)[0], "id", "name", "district", "adcode", "location", "address", "typecode")
		for _, x := range tp.Tips {
			if _, err := parseLocation(x.Location); err != nil || x.ID == "" {
				t.Errorf("tip %s: id %q location %q", x.Name, x.ID, x.Location)
			}
		}
	})

	t.Run("convert", func(t *testing.T) {
		var cv amapConvert
		w := a.Point // a GPS fix (WGS84)
		locs := fmt.Sprintf("%.6f,%.6f|%.6f,%.6f", w[0], w[1], w[0]+0.001, w[1])
		if _, err := client.get("/v3/assistant/coordinate/convert", url.Values{"locations": {locs}, "coordsys": {"gps"}}, &cv); err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(cv.Locations, ";")
		if cv.Status != "1" || len(parts) != 2 {
			t.Fatalf("convert: %+v", cv)
		}
		if p, _ := parseLocation(amapText(parts[0])); !near(p, gcj(orb.Point{roundTo6(w[0]), roundTo6(w[1])})) {
			t.Errorf("convert %s, want %v", parts[0], want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			path     string
			params   url.Values
			infocode string
			field    string // the parameter the detail names; "" unchecked
		}{
			{"/v3/geocode/geo", url.Values{}, "20001", ""},
			{"/v3/geocode/regeo", url.Values{"location": {"north,south"}}, "20000", "location"},
			{"/v3/geocode/regeo", url.Values{"location": {"114.1,22.5"}, "radius": {"5000"}}, "20000", "radius"},
			{"/v3/assistant/inputtips", url.Values{}, "20001", ""},
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1,22.5"}, "coordsys": {"mapbar"}}, "20000", "coordsys"},
			{"/v3/geocode/geo", url.Values{"address": {"建设路1号"}, "output": {"XML"}}, "20000", "output"},
			// Parameters the routes do not use for their answer are still checked.
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1,22.5"}, "output": {"xml"}}, "20000", "output"},
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1,22.5"}, "output": {"html"}}, "20000", "output"},
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1,22.5"}, "coordsys": {"wgs84"}}, "20000", "coordsys"},
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1;22.5"}}, "20000", "locations"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "output": {"XML"}}, "20000", "output"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "location": {"114.1"}}, "20000", "location"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "location": {"22.5,north"}}, "20000", "location"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "citylimit": {"yes"}}, "20000", "citylimit"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "datatype": {"all|metro"}}, "20000", "datatype"},
			{"/v3/geocode/geo", url.Values{"address": {"建设路1号"}, "callback": {"alert(1)//"}}, "20000", "callback"},
			// Filters this server cannot apply as AMap does are refused, not ignored.
			{"/v3/geocode/regeo", url.Values{"location": {"114.1,22.5"}, "poitype": {"050000|医院"}}, "20000", "poitype"},
			{"/v3/geocode/regeo", url.Values{"location": {"114.1,22.5"}, "roadlevel": {"2"}}, "20000", "roadlevel"},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "type": {"050000"}}, "20000", "type"},
			// Refused before any handler (an unknown path): AMap's body, HTTP 200.
			{"/v3/place/text", url.Values{"keywords": {"建设"}}, "20000", "path"},
		} {
			var b amapBase
			if _, err := client.get(c.path, c.params, &b); err != nil {
				t.Fatal(err)
			}
			if b.Status != "0" || b.Infocode != c.infocode || b.Info == "" {
				t.Errorf("%s %v: %+v, want status 0 infocode %s", c.path, c.params, b, c.infocode)
			}
			if c.field != "" && !strings.HasPrefix(b.Detail, c.field+": ") {
				t.Errorf("%s %v: detail %q does not name %s", c.path, c.params, b.Detail, c.field)
			}
		}
	})

	t.Run("another city", func(t *testing.T) {
		// AMap answers a place in Beijing; this server holds none, so it answers none rather
		// than Shenzhen's namesake.
		for _, params := range []url.Values{
			{"address": {"北京市朝阳区" + a.Full}},
			{"address": {a.Full}, "city": {"北京"}},
			{"address": {a.Full}, "city": {"110000"}},
		} {
			var g amapGeo
			if _, err := client.get("/v3/geocode/geo", params, &g); err != nil {
				t.Fatal(err)
			}
			if g.Status != "1" || g.Count != "0" || len(g.Geocodes) != 0 {
				t.Errorf("geo %v: status %s, count %s, %d geocodes; want none", params, g.Status, g.Count, len(g.Geocodes))
			}
		}
		var g amapGeo
		if _, err := client.get("/v3/geocode/geo", url.Values{"address": {a.Full}, "city": {"深圳"}}, &g); err != nil || g.Count != "1" {
			t.Errorf("geo in its own city: count %s (%v), want 1", g.Count, err)
		}
		var tips amapTips
		if _, err := client.get("/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "city": {"北京"}, "citylimit": {"true"}}, &tips); err != nil || tips.Count != "0" {
			t.Errorf("inputtips limited to Beijing: count %s (%v), want 0", tips.Count, err)
		}
		var r amapRegeo
		if _, err := client.get("/v3/geocode/regeo", url.Values{"location": {"116.397428,39.90923"}}, &r); err != nil {
			t.Fatal(err)
		}
		if ac := r.Regeocode.AddressComponent; r.Status != "1" || ac.Province != "" || ac.City != "" || ac.Country != "" || strings.Contains(string(r.Regeocode.FormattedAddress), "深圳") {
			t.Errorf("regeo in Beijing named %q %q %q, %q; want none of Shenzhen", ac.Country, ac.Province, ac.City, r.Regeocode.FormattedAddress)
		}
	})

	t.Run("jsonp", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/v3/assistant/coordinate/convert?locations=0,0|114.1,22.5&coordsys=gps&callback=jQuery36_17")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body, ok := strings.CutPrefix(string(b), "jQuery36_17(")
		body, ok2 := strings.CutSuffix(body, ");")
		var c amapConvert
		if !ok || !ok2 || json.Unmarshal([]byte(body), &c) != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") {
			t.Fatalf("JSONP answer %s (%s)", b, resp.Header.Get("Content-Type"))
		}
		// 0,0 converts like any point (it lies outside China: unchanged), not to "".
		if first, _, _ := strings.Cut(c.Locations, ";"); first != "0.000000,0.000000" {
			t.Errorf("locations %q, want 0,0 first", c.Locations)
		}
	})

	t.Run("good optional parameters", func(t *testing.T) {
		for _, c := range []struct {
			path   string
			params url.Values
		}{
			{"/v3/assistant/coordinate/convert", url.Values{"locations": {"114.1,22.5"}, "output": {"json"}}},
			{"/v3/assistant/inputtips", url.Values{"keywords": {"建设"}, "location": {"114.1,22.5"}, "citylimit": {"true"}, "datatype": {"poi|bus"}, "output": {"JSON"}}},
			{"/v3/geocode/regeo", url.Values{"location": {"114.1,22.5"}, "extensions": {"all"}, "roadlevel": {"1"}, "poitype": {"医院|学校"}}},
		} {
			var b amapBase
			if _, err := client.get(c.path, c.params, &b); err != nil || b.Status != "1" {
				t.Errorf("%s %v: %+v (%v), want status 1", c.path, c.params, b, err)
			}
		}
	})
}

func roundTo6(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 6, 64), 64)
	return f
}
