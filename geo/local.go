package geo

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// LocalDef defines a city's own coordinate system (城市独立坐标系) as its survey institute
// gives it: a transverse Mercator projection (or an EPSG zone as base) and either the
// 7 Bursa–Wolf parameters from its datum to CGCS2000/WGS84, or a 4-parameter plane transform
// from its grid onto the grid of the base zone. Local turns it into a CRS; package import reads
// it from a JSON or YAML file.
type LocalDef struct {
	Name string `yaml:"name" json:"name"`
	// Base is an EPSG Gauss–Krüger zone ("EPSG:4547", "EPSG:2383") whose projection and datum
	// the system starts from; Projection replaces its projection when both are given.
	Base       string      `yaml:"base,omitempty" json:"base,omitempty"`
	Projection *TMDef      `yaml:"projection,omitempty" json:"projection,omitempty"`
	Helmert    *HelmertDef `yaml:"helmert,omitempty" json:"helmert,omitempty"`
	Plane      *PlaneDef   `yaml:"plane,omitempty" json:"plane,omitempty"`
}

// TMDef is a transverse Mercator definition. Ellipsoid is "cgcs2000" (the default), "wgs84",
// "xian80" (IAG 1975), "beijing54" (Krassovsky), or given by SemiMajorAxis and
// InverseFlattening.
type TMDef struct {
	CentralMeridian   float64 `yaml:"central_meridian" json:"central_meridian"`
	LatitudeOfOrigin  float64 `yaml:"latitude_of_origin" json:"latitude_of_origin"`
	Scale             float64 `yaml:"scale" json:"scale"` // 0 means 1
	FalseEasting      float64 `yaml:"false_easting" json:"false_easting"`
	FalseNorthing     float64 `yaml:"false_northing" json:"false_northing"`
	Ellipsoid         string  `yaml:"ellipsoid" json:"ellipsoid"`
	SemiMajorAxis     float64 `yaml:"semi_major_axis" json:"semi_major_axis"`
	InverseFlattening float64 `yaml:"inverse_flattening" json:"inverse_flattening"`
}

// HelmertDef gives the 7 parameters from the system's datum to CGCS2000 (≈ WGS84) as survey
// institutes publish them: translations in metres, rotations in arc-seconds, scale in ppm.
// Convention is "position_vector" (EPSG 9606, PROJ +towgs84; the default) or
// "coordinate_frame" (EPSG 9607: the rotations' signs flipped).
type HelmertDef struct {
	DX         float64 `yaml:"dx" json:"dx"`
	DY         float64 `yaml:"dy" json:"dy"`
	DZ         float64 `yaml:"dz" json:"dz"`
	RX         float64 `yaml:"rx" json:"rx"`
	RY         float64 `yaml:"ry" json:"ry"`
	RZ         float64 `yaml:"rz" json:"rz"`
	PPM        float64 `yaml:"ppm" json:"ppm"`
	Convention string  `yaml:"convention" json:"convention"`
}

// PlaneDef gives a 4-parameter plane transform from the system's grid onto the base grid:
// offsets in metres, rotation in arc-seconds (anticlockwise), scale in ppm.
type PlaneDef struct {
	DE       float64 `yaml:"de" json:"de"`
	DN       float64 `yaml:"dn" json:"dn"`
	Rotation float64 `yaml:"rotation" json:"rotation"`
	PPM      float64 `yaml:"ppm" json:"ppm"`
}

const arcsec = math.Pi / (180 * 3600)

// Local returns the CRS a definition describes. Errors wrap ErrCRS and name the field.
func Local(d LocalDef) (CRS, error) {
	bad := func(field, format string, a ...any) (CRS, error) {
		return CRS{}, fmt.Errorf("crs file %q: %s: %w: %s", d.Name, field, ErrCRS, fmt.Sprintf(format, a...))
	}
	name := strings.TrimSpace(d.Name)
	if name == "" {
		return bad("name", "a city system needs a name")
	}
	c := CRS{Name: name}
	if d.Base != "" {
		base, err := ParseCRS(d.Base)
		if err != nil || base.GK == (GaussKruger{}) {
			return bad("base", "%q is not a Gauss–Krüger zone (%s)", d.Base, gkCodes)
		}
		c.GK, c.Datum = base.GK, base.Datum
		c.GK.EPSG = 0
	}
	if tm := d.Projection; tm != nil {
		el, err := ellipsoid(tm)
		if err != nil {
			return bad("projection.ellipsoid", "%v", err)
		}
		if tm.CentralMeridian < 70 || tm.CentralMeridian > 140 {
			return bad("projection.central_meridian", "%g is not in China (70…140)", tm.CentralMeridian)
		}
		if tm.Scale != 0 && (tm.Scale < 0.99 || tm.Scale > 1.01) {
			return bad("projection.scale", "%g is not near 1", tm.Scale)
		}
		if math.Abs(tm.LatitudeOfOrigin) > 60 {
			return bad("projection.latitude_of_origin", "%g is not in China", tm.LatitudeOfOrigin)
		}
		c.GK = GaussKruger{CentralMeridian: tm.CentralMeridian, FalseEasting: tm.FalseEasting, FalseNorthing: tm.FalseNorthing,
			LatitudeOfOrigin: tm.LatitudeOfOrigin, Scale: tm.Scale, Ellipsoid: el}
		if c.GK.Scale == 1 {
			c.GK.Scale = 0
		}
		if el == (Ellipsoid{}) || el == WGS84Ellipsoid {
			c.Datum = CGCS2000Datum // WGS84 is taken as CGCS2000 throughout
		} else if c.Datum.Ellipsoid != el {
			c.Datum = Datum{Name: name, Ellipsoid: el}
		}
	}
	if c.GK == (GaussKruger{}) {
		return bad("projection", "give a projection or a base zone")
	}
	switch {
	case d.Helmert != nil && d.Plane != nil:
		return bad("helmert", "give either helmert or plane, not both")
	case d.Helmert != nil:
		h := d.Helmert
		sign := 1.0
		switch strings.ToLower(strings.TrimSpace(h.Convention)) {
		case "", "position_vector", "position vector", "9606":
		case "coordinate_frame", "coordinate frame", "9607":
			sign = -1
		default:
			return bad("helmert.convention", "%q: want position_vector or coordinate_frame", h.Convention)
		}
		for _, r := range []float64{h.RX, h.RY, h.RZ} {
			if math.Abs(r) > 60 {
				return bad("helmert.rx/ry/rz", "%g arc-seconds is not a datum rotation (rotations are in arc-seconds)", r)
			}
		}
		if math.Abs(h.PPM) > 1000 {
			return bad("helmert.ppm", "%g ppm is not a datum scale (scale is in ppm)", h.PPM)
		}
		c.Datum.Name = name
		c.Datum.ToCGCS2000 = Helmert{DX: h.DX, DY: h.DY, DZ: h.DZ,
			RX: sign * h.RX * arcsec, RY: sign * h.RY * arcsec, RZ: sign * h.RZ * arcsec, S: h.PPM * 1e-6}
		if c.Datum.ToCGCS2000 == (Helmert{}) {
			return bad("helmert", "all seven parameters are zero: leave helmert out instead")
		}
	case d.Plane != nil:
		if d.Base == "" {
			return bad("plane", "a plane transform maps onto the grid of a base zone: give base")
		}
		p := d.Plane
		if math.Abs(p.PPM) > 1e5 {
			return bad("plane.ppm", "%g ppm is not a grid scale (scale is in ppm)", p.PPM)
		}
		c.Plane = Similarity{DE: p.DE, DN: p.DN, Theta: p.Rotation * arcsec, K: 1 + p.PPM*1e-6}
	}
	return c, nil
}

var errEllipsoid = errors.New("unknown ellipsoid: want cgcs2000, wgs84, xian80, beijing54 or semi_major_axis and inverse_flattening")

func ellipsoid(tm *TMDef) (Ellipsoid, error) {
	if tm.SemiMajorAxis != 0 || tm.InverseFlattening != 0 {
		if tm.SemiMajorAxis < 6.3e6 || tm.SemiMajorAxis > 6.4e6 || tm.InverseFlattening < 290 || tm.InverseFlattening > 310 {
			return Ellipsoid{}, fmt.Errorf("a %g, 1/f %g is not an Earth ellipsoid", tm.SemiMajorAxis, tm.InverseFlattening)
		}
		return Ellipsoid{A: tm.SemiMajorAxis, F: 1 / tm.InverseFlattening}, nil
	}
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tm.Ellipsoid), "-", "")) {
	case "", "cgcs2000", "grs80":
		return Ellipsoid{}, nil
	case "wgs84":
		return WGS84Ellipsoid, nil
	case "xian80", "iag1975", "iag75":
		return IAG1975, nil
	case "beijing54", "krassovsky", "krasovsky":
		return Krassovsky1940, nil
	}
	return Ellipsoid{}, errEllipsoid
}
