package importer

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"citygeo/geo"

	"github.com/goccy/go-yaml"
)

// localPrefix marks a CRS given by a file: --crs local:FILE.
const localPrefix = "local:"

// ParseCRS reads a CRS as a person types it on the command line or in a mapping: what
// geo.ParseCRS reads, or "local:FILE" for a city's own system defined in a JSON or YAML file
// (ReadCRSFile). Errors wrap ErrCRS.
func ParseCRS(s string) (geo.CRS, error) {
	if path, ok := strings.CutPrefix(strings.TrimSpace(s), localPrefix); ok {
		return ReadCRSFile(path)
	}
	return geo.ParseCRS(s)
}

// ReadCRSFile reads a city coordinate system (geo.LocalDef) from a JSON or YAML file, e.g.
//
//	name: 某市独立坐标系
//	projection: {central_meridian: 114.3, latitude_of_origin: 22, scale: 1.0001,
//	             false_easting: 50000, false_northing: 10000, ellipsoid: beijing54}
//	helmert: {dx: 15.8, dy: -154.4, dz: -82.3, rx: 1.1, ry: -2.2, rz: 0.814, ppm: -0.38,
//	          convention: position_vector}
//
// or a base zone and a plane transform:
//
//	name: 某市城建坐标系
//	base: EPSG:4547
//	plane: {de: 391234.5, dn: 2480011.25, rotation: 1234.5, ppm: 35}
//
// Unknown keys are errors, so a misspelt parameter is never silently zero. Errors wrap ErrCRS.
func ReadCRSFile(path string) (geo.CRS, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return geo.CRS{}, fmt.Errorf("crs file: %w: %v", ErrCRS, err)
	}
	var d geo.LocalDef
	if err := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField()).Decode(&d); err != nil {
		return geo.CRS{}, fmt.Errorf("crs file %s: %w: %v", path, ErrCRS, err)
	}
	c, err := geo.Local(d)
	if err != nil {
		return geo.CRS{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
