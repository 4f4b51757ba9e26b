package ogc

import (
	"encoding/json"
	"net/url"
	"strconv"
)

// obj is a JSON object of a generated document (OpenAPI, JSON Schema).
type obj = map[string]any

// ordered is a JSON object that keeps its members in the order given: a schema's properties in
// the order of the field table, which GDAL makes the order of the layer's fields.
type ordered []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// fieldsSchema is the JSON Schema properties of fields, in order.
func fieldsSchema(fs []Field) ordered {
	out := make(ordered, len(fs))
	for i, f := range fs {
		out[i] = member{f.Name, fieldSchema(f)}
	}
	return out
}

// SchemaDoc is the JSON Schema of a collection's features (its describedby link): GDAL's OAPIF
// driver takes the layer's field types from it rather than guessing them from the first page,
// and the temporal property is the only field with a date format.
func (c *Catalog) SchemaDoc(base, id string) (obj, error) {
	col, err := c.Collection(id)
	if err != nil {
		return nil, err
	}
	props := fieldsSchema(col.Fields)
	return obj{
		"$schema":  "https://json-schema.org/draft/2020-12/schema",
		"$id":      base + "/collections/" + url.PathEscape(id) + "/schema",
		"title":    col.Title,
		"type":     "object",
		"required": []string{"type", "geometry", "properties"},
		"properties": obj{
			"type":       obj{"type": "string", "enum": []string{"Feature"}},
			"id":         obj{"type": []string{"string", "integer"}},
			"geometry":   obj{"type": "object"},
			"properties": obj{"type": "object", "properties": props},
		},
	}, nil
}

// QueryablesDoc is the JSON Schema of the properties an items request filters on by
// equality (OGC API – Features Part 3's queryables resource).
func (c *Catalog) QueryablesDoc(base, id string) (obj, error) {
	col, err := c.Collection(id)
	if err != nil {
		return nil, err
	}
	props := fieldsSchema(col.Queryables())
	return obj{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"$id":        base + "/collections/" + url.PathEscape(id) + "/queryables",
		"title":      col.Title,
		"type":       "object",
		"properties": props,
	}, nil
}

func fieldSchema(f Field) obj {
	s := obj{"type": f.Type, "title": f.Title}
	if f.Format != "" {
		s["format"] = f.Format
	}
	return s
}

// OpenAPI is the API definition of the service at base (OpenAPI 3.0): the fixed resources and,
// for each collection, its items path with the collection's queryables as parameters, which is
// where GDAL's OAPIF driver looks for the filters it may send to the server.
func (c *Catalog) OpenAPI(base string) obj {
	ref := func(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }
	doc := func(summary, mediaType string) obj {
		return obj{"summary": summary, "parameters": []obj{ref("f")}, "responses": obj{
			"200": obj{"description": summary, "content": obj{mediaType: obj{}, TypeHTML: obj{}}},
		}}
	}
	paths := obj{
		"/":            obj{"get": doc("landing page", TypeJSON)},
		"/conformance": obj{"get": doc("conformance classes", TypeJSON)},
		"/api":         obj{"get": doc("this API definition", TypeOpenAPI)},
		"/collections": obj{"get": doc("the collections", TypeJSON)},
	}
	notFound := obj{"description": "no such collection or feature", "content": obj{TypeJSON: obj{}}}
	badRequest := obj{"description": "a parameter the service cannot take", "content": obj{TypeJSON: obj{}}}
	crsEnum := uris(c.crs)
	for _, col := range c.Collections() {
		p := "/collections/" + col.ID
		params := []obj{ref("bbox"), ref("bbox-crs"), ref("datetime"), ref("limit"), ref("offset"), ref("crs"), ref("f")}
		for _, f := range col.Queryables() {
			params = append(params, obj{"name": f.Name, "in": "query", "required": false, "description": f.Title,
				"schema": obj{"type": f.Type}, "style": "form", "explode": false})
		}
		paths[p] = obj{"get": doc(col.Title, TypeJSON)}
		paths[p+"/items"] = obj{"get": obj{
			"summary":    col.Title + ": features (" + strconv.Itoa(col.Count) + ")",
			"parameters": params,
			"responses": obj{
				"200": obj{"description": "a page of features; next and prev links page on", "content": obj{TypeGeoJSON: obj{}, TypeHTML: obj{}},
					"headers": obj{"Content-Crs": obj{"schema": obj{"type": "string"}, "description": "<URI> of the CRS of the coordinates"}}},
				"400": badRequest, "404": notFound,
			}}}
		paths[p+"/items/{featureId}"] = obj{"get": obj{
			"summary": col.Title + ": one feature",
			"parameters": []obj{{"name": "featureId", "in": "path", "required": true, "schema": obj{"type": "string"}},
				ref("crs"), ref("f")},
			"responses": obj{"200": obj{"description": "the feature", "content": obj{TypeGeoJSON: obj{}, TypeHTML: obj{}}}, "400": badRequest, "404": notFound},
		}}
		paths[p+"/schema"] = obj{"get": doc(col.Title+": feature schema", TypeSchema)}
		paths[p+"/queryables"] = obj{"get": doc(col.Title+": queryables", TypeSchema)}
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": c.title + " — OGC API – Features", "version": strconv.FormatInt(c.version, 10),
			"description": "城市部件、单元网格、行政区划、道路、门牌、兴趣点与案卷. Coordinates are CRS84 unless crs names another offered CRS; they then follow its authority's axis order (EPSG:4326 and 4490 latitude first, the Gauss–Krüger zones northing first), and Content-Crs names it."},
		"servers": []obj{{"url": base}},
		"paths":   paths,
		"components": obj{"parameters": obj{
			"f": obj{"name": "f", "in": "query", "required": false, "description": "the format: json (GeoJSON for features) or html; by default the Accept header decides",
				"schema": obj{"type": "string", "enum": []string{"json", "html"}}, "style": "form", "explode": false},
			"bbox": obj{"name": "bbox", "in": "query", "required": false, "description": "features whose geometry meets this box: lower corner, upper corner, in the axis order of bbox-crs",
				"schema": obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}, "style": "form", "explode": false},
			"bbox-crs": obj{"name": "bbox-crs", "in": "query", "required": false, "description": "the CRS of bbox; default CRS84",
				"schema": obj{"type": "string", "format": "uri", "enum": crsEnum}, "style": "form", "explode": false},
			"crs": obj{"name": "crs", "in": "query", "required": false, "description": "the CRS of the answer's coordinates; default CRS84",
				"schema": obj{"type": "string", "format": "uri", "enum": crsEnum}, "style": "form", "explode": false},
			"datetime": obj{"name": "datetime", "in": "query", "required": false, "description": "an instant, date or interval (start/end, .. for open); features whose temporal property meets it",
				"schema": obj{"type": "string"}, "style": "form", "explode": false},
			"limit": obj{"name": "limit", "in": "query", "required": false, "description": "features per page; above the maximum the maximum is served",
				"schema": obj{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}, "style": "form", "explode": false},
			"offset": obj{"name": "offset", "in": "query", "required": false, "description": "the position of the page's first feature; next links carry it",
				"schema": obj{"type": "integer", "minimum": 0, "default": 0}, "style": "form", "explode": false},
		}},
	}
}
