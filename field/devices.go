package field

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"citygeo/data"
)

// Registry is the devices the field force knows, by id. A nil *Registry knows none and is
// open: fixes of any device are accepted and carry no role. A non-nil one is strict: fixes and
// JT/T 808 registrations of devices it does not list are refused.
type Registry struct {
	byID map[string]*data.Device
}

// NewRegistry checks devs (ids present and unique, kinds known) and indexes them.
func NewRegistry(devs []data.Device) (*Registry, error) {
	r := &Registry{byID: make(map[string]*data.Device, len(devs))}
	for i := range devs {
		d := devs[i]
		switch {
		case d.ID == "":
			return nil, fmt.Errorf("device %d: no id", i+1)
		case d.Kind != data.DevicePerson && d.Kind != data.DeviceVehicle:
			return nil, fmt.Errorf("device %s: kind %q: want %q or %q", d.ID, d.Kind, data.DevicePerson, data.DeviceVehicle)
		case r.byID[d.ID] != nil:
			return nil, fmt.Errorf("device %s: listed twice", d.ID)
		}
		r.byID[d.ID] = &d
	}
	return r, nil
}

// Device returns the device with id, or nil when the registry does not list it (always nil for
// a nil registry).
func (r *Registry) Device(id string) *data.Device {
	if r == nil {
		return nil
	}
	return r.byID[id]
}

// Allows reports whether fixes of device id are accepted: always for an open (nil) registry.
func (r *Registry) Allows(id string) bool { return r == nil || r.byID[id] != nil }

// List returns the devices listed, by id.
func (r *Registry) List() []*data.Device {
	if r == nil {
		return nil
	}
	out := make([]*data.Device, 0, len(r.byID))
	for _, d := range r.byID {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *data.Device) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Len returns the number of devices listed.
func (r *Registry) Len() int {
	if r == nil {
		return 0
	}
	return len(r.byID)
}

// deviceColumns are the CSV header and the JSON keys of a device file.
var deviceColumns = []string{"id", "kind", "subject", "name", "role", "team"}

// ParseDevices reads a device list: a JSON array of {id, kind, subject, name, role, team}
// objects, or CSV with those columns in a header row (any order, extra columns ignored).
func ParseDevices(r io.Reader, format string) ([]data.Device, error) {
	switch format {
	case "json":
		var rows []struct {
			ID, Kind, Subject, Name, Role, Team string
		}
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			return nil, fmt.Errorf("parse devices: %w", err)
		}
		out := make([]data.Device, len(rows))
		for i, d := range rows {
			out[i] = data.Device{ID: d.ID, Kind: data.DeviceKind(d.Kind), Subject: d.Subject, Name: d.Name, Role: d.Role, Team: d.Team}
		}
		return out, nil
	case "csv":
		return parseDevicesCSV(r)
	}
	return nil, fmt.Errorf("parse devices: format %q: want json or csv", format)
}

func parseDevicesCSV(r io.Reader) ([]data.Device, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("parse devices: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range deviceColumns[:2] {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("parse devices: no %q column in %v", c, head)
		}
	}
	var out []data.Device
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse devices: %w", err)
		}
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		out = append(out, data.Device{ID: get("id"), Kind: data.DeviceKind(get("kind")), Subject: get("subject"),
			Name: get("name"), Role: get("role"), Team: get("team")})
	}
}

// LoadDevices reads the device file at path (.json or .csv) into a registry.
func LoadDevices(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load devices: %w", err)
	}
	defer f.Close()
	devs, err := ParseDevices(f, strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	reg, err := NewRegistry(devs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return reg, nil
}
