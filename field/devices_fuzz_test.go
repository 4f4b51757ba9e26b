package field_test

import (
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/field"
)

// FuzzParseDevices: a device list in either format is refused or read into devices a registry
// either refuses or holds, each with an id and a known kind, once per id.
func FuzzParseDevices(f *testing.F) {
	f.Add("id,kind,subject,name,role,team\nh-001,person,P001,张三,patroller,东门中队\n", "csv")
	f.Add("\ufeffKind, ID\nvehicle,粤B12345\nperson,\n", "csv")
	f.Add(`[{"id":"h-1","kind":"person","name":"李四"},{"id":"h-1","kind":"vehicle"}]`, "json")
	f.Fuzz(func(t *testing.T, in, format string) {
		devs, err := field.ParseDevices(strings.NewReader(in), format)
		if err != nil {
			return
		}
		reg, err := field.NewRegistry(devs)
		if err != nil {
			return
		}
		if reg.Len() != len(devs) {
			t.Fatalf("registry of %d devices holds %d", len(devs), reg.Len())
		}
		for _, d := range reg.List() {
			if d.ID == "" || (d.Kind != data.DevicePerson && d.Kind != data.DeviceVehicle) || reg.Device(d.ID) != d {
				t.Fatalf("registry holds %+v", d)
			}
		}
	})
}
