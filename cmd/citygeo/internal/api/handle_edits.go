package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
	importer "citygeo/import"
	"citygeo/schema"
)

// maxEditBody caps the body of one feature's edit.
const maxEditBody = 4 << 20

// EditBody is the answer to an accepted edit: the change as recorded (with its sequence number,
// the old and new value of every field changed) and the feature's new ETag, also sent in the
// ETag header ("" after a delete).
type EditBody struct {
	Change data.Change `json:"change"`
	ETag   string      `json:"etag"`
}

// editLayers maps the {layer} of the generic edit routes to the store's layer and the
// importer's kind (whose column names a body may use).
var editLayers = map[string]struct {
	layer data.Layer
	kind  schema.Kind
}{
	"components": {data.LayerComponent, schema.Component},
	"grids":      {data.LayerGrid, schema.Grid},
	"addresses":  {data.LayerAddress, schema.Address},
	"pois":       {data.LayerPOI, schema.POI},
	"roads":      {data.LayerRoad, schema.Road},
}

// editRoute binds an edit route: components by their own paths, the other layers by {layer}.
func (s *Server) editRoute(op data.Op, fixed string) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := fixed
		if name == "" {
			name = c.Param("layer")
		}
		el, ok := editLayers[name]
		if !ok {
			Fail(c, "", NotFound("layer", "no editable layer %q: components, grids, addresses, pois or roads", name))
			return
		}
		s.handleEdit(c, op, el.layer, el.kind)
	}
}

// handleEdit creates (POST), updates (PUT) or deletes (DELETE) one feature. The body of a create
// or update is a GeoJSON Feature whose properties use the names an import reads (CJ/T 214,
// GB/T 47678.5 or the schema's keys, e.g. "status") or those GET answers with; ?crs= says the
// geometry's CRS. An update or delete needs If-Match with the ETag of the feature as read.
// ?reason= (or X-Edit-Reason) says why, ?case= names the event behind it.
func (s *Server) handleEdit(c *gin.Context, op data.Op, l data.Layer, kind schema.Kind) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	e := city.Edit{Layer: l, ID: c.Param("id"), Op: op, IfMatch: c.GetHeader("If-Match"),
		Who: whoOf(c), Why: c.Query("reason"), Case: c.Query("case")}
	if e.Why == "" {
		e.Why = c.GetHeader("X-Edit-Reason")
	}
	if op != data.OpDelete {
		var rep *importer.Report
		e.After, rep, err = readEditBody(c, kind, crs)
		if err != nil {
			failEdit(c, err, rep)
			return
		}
		id, _ := data.FeatureID(l, e.After)
		if op == data.OpCreate {
			e.ID = id
		}
	}
	c.Set(ctxAuditTarget, string(l)+" "+e.ID)
	res, err := s.city.Edit(c.Request.Context(), e)
	if err != nil {
		failEdit(c, err, nil)
		return
	}
	c.Set(ctxAuditVersion, res.Change.Base)
	if res.ETag != "" {
		c.Header("ETag", res.ETag)
	}
	status := http.StatusOK
	if op == data.OpCreate {
		status = http.StatusCreated
	}
	c.JSON(status, EditBody{Change: res.Change, ETag: res.ETag})
}

// whoOf names the token that made a request ("" with no token).
func whoOf(c *gin.Context) string {
	if v, ok := c.Get(ctxToken); ok {
		if t, ok := v.(TokenHash); ok {
			return t.Name
		}
	}
	return ""
}

// readEditBody converts the request's GeoJSON Feature as an import converts a row.
func readEditBody(c *gin.Context, kind schema.Kind, crs geo.CRS) (*data.Dataset, *importer.Report, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxEditBody))
	if err != nil {
		return nil, nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: err.Error()}
	}
	var f map[string]any
	if err := json.Unmarshal(body, &f); err != nil || f["type"] != "Feature" {
		return nil, nil, BadParam("body", "the body must be one GeoJSON Feature")
	}
	props, _ := f["properties"].(map[string]any)
	// The Feature's own id (GET writes it beside the properties) is the feature's key when the
	// properties do not hold one; left there, the reader would keep it as an extra attribute.
	if top, ok := f["id"]; ok {
		delete(f, "id")
		if key := schema.Key(kind); props != nil && props[key] == nil {
			props[key] = top
		}
	}
	cols, perr := importColumns(kind, props)
	if perr != nil {
		return nil, nil, perr
	}
	f["properties"] = cols
	line, _ := json.Marshal(f)
	opts := importer.Options{}
	if crs != geo.CGCS2000 {
		opts.Read.CRS = &crs
	}
	ds, rep, err := importer.ConvertFeature(c.Request.Context(), bytes.NewReader(append(line, '\n')), string(kind), opts)
	if err == nil && !rep.OK() {
		err = &importer.ValidationError{Report: rep}
	}
	return ds, rep, err
}

// importColumns renames the properties of an edit body to the columns an import reads: the
// nested departments and extra attributes GET answers with are flattened, a schema key
// ("owner_code", "grid") becomes its field's first column, and what GET derives (class, its
// name, the scheme) is dropped. An object or an array where a value belongs, or anything but a
// string in a text field (a 16-digit id as a JSON number has lost digits already), is a 400
// naming properties.<key>: an import would store it as text.
func importColumns(kind schema.Kind, props map[string]any) (map[string]any, *Error) {
	out := map[string]any{}
	flat := map[string]any{}
	for k, v := range props {
		switch k {
		case "owner", "property", "maintainer":
			if m, ok := v.(map[string]any); ok {
				flat[k+"_code"], flat[k+"_name"] = m["code"], m["name"]
				continue
			}
		case "extra":
			if m, ok := v.(map[string]any); ok {
				for ek, ev := range m {
					out[ek] = ev
				}
				continue
			}
		case "class", "class_name", "scheme":
			if kind == schema.Component {
				continue // derived from the component's id; a road's class is its own field
			}
		}
		flat[k] = v
	}
	for k, v := range out { // the extra attributes of the class: values, kept as text
		switch v.(type) {
		case map[string]any, []any:
			return nil, BadParam("properties.extra."+k, "want a value, not %s", jsonKind(v))
		}
	}
	defs := schema.Defs(kind)
	for k, v := range flat {
		if v == nil {
			continue
		}
		col := k
		text := false
		for _, d := range defs {
			if d.Key == k && len(d.Columns) > 0 {
				col, text = d.Columns[0], d.Type == schema.Text
			}
		}
		switch v.(type) {
		case map[string]any, []any:
			return nil, BadParam("properties."+k, "want a value, not %s", jsonKind(v))
		case string:
		default:
			if text {
				return nil, BadParam("properties."+k, "want a string, not %s", jsonKind(v))
			}
		}
		out[col] = v
	}
	return out, nil
}

// jsonKind names the JSON type of a decoded value, for errors.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return "a string"
}

// failEdit answers a refused edit with its status: 404 unknown, 409 exists or busy, 412 stale
// ETag, 428 no If-Match, 422 invalid (with the report), 400 a malformed body.
func failEdit(c *gin.Context, err error, rep *importer.Report) {
	var ve *importer.ValidationError
	switch {
	case errors.As(err, &ve):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": &Error{Code: CodeInvalid, Message: ve.Error(), Field: firstField(ve.Report)}, "report": ve.Report})
	case errors.Is(err, city.ErrNotFound):
		Fail(c, "", NotFound("id", "%s", err.Error()))
	case errors.Is(err, city.ErrExists), errors.Is(err, city.ErrImportBusy), errors.Is(err, data.ErrStaleBase):
		Fail(c, "", &Error{Status: http.StatusConflict, Code: CodeConflict, Field: "id", Message: err.Error()})
	case errors.Is(err, city.ErrStale):
		Fail(c, "", &Error{Status: http.StatusPreconditionFailed, Code: CodeConflict, Field: "If-Match", Message: err.Error()})
	case errors.Is(err, city.ErrPreconditionMiss):
		Fail(c, "", &Error{Status: http.StatusPreconditionRequired, Code: CodeBadRequest, Field: "If-Match", Message: err.Error()})
	case errors.Is(err, city.ErrWrongID), errors.Is(err, importer.ErrFormat), errors.Is(err, importer.ErrCRS):
		Fail(c, "", BadParam("body", "%s", err.Error()))
	case errors.Is(err, city.ErrNoStore), errors.Is(err, city.ErrNoChanges), errors.Is(err, data.ErrNoActive):
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: err.Error() + ": edits need a dataset store (--store)"})
	default:
		_ = rep
		Fail(c, "", err)
	}
}

func firstField(rep *importer.Report) string {
	for _, f := range rep.Findings {
		if f.Severity == importer.SeverityError {
			return f.Field
		}
	}
	return ""
}

// handleFeature answers one feature of an editable layer as served now (edits included), with
// its ETag for a later If-Match.
func (s *Server) handleFeature(c *gin.Context) {
	el, ok := editLayers[c.Param("layer")]
	if !ok {
		Fail(c, "", NotFound("layer", "no editable layer %q: components, grids, addresses, pois or roads", c.Param("layer")))
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	id := c.Param("id")
	f := snap.Feature(el.layer, id)
	if f == nil {
		Fail(c, "", NotFound("id", "no %s %s in dataset version %d", strings.TrimSuffix(c.Param("layer"), "s"), id, snap.Version()))
		return
	}
	c.Header("ETag", city.FeatureETag(f))
	c.JSON(http.StatusOK, featureJSON(f))
}

// featureJSON renders one feature of an editable layer with its schema keys as properties,
// the names an edit body may use.
func featureJSON(f *data.Dataset) *geojson.Feature {
	switch {
	case len(f.Components) == 1:
		return componentFeature(f.Components[0], geo.CGCS2000)
	case len(f.Grids) == 1:
		return schemaFeature(&schema.Grids, f.Grids[0], f.Grids[0].Polygon)
	case len(f.Addresses) == 1:
		return schemaFeature(&schema.Addresses, f.Addresses[0], f.Addresses[0].Point)
	case len(f.POIs) == 1:
		return schemaFeature(&schema.POIs, f.POIs[0], f.POIs[0].Point)
	case len(f.Roads) == 1:
		return schemaFeature(&schema.Roads, f.Roads[0], f.Roads[0].Line)
	}
	return geojson.NewFeature(nil)
}

func schemaFeature[T any](l *schema.Layer[T], x *T, g orb.Geometry) *geojson.Feature {
	f := geojson.NewFeature(g)
	for _, fd := range l.Fields {
		if fd.Write == nil {
			continue
		}
		if v, ok := fd.Write(x); ok {
			f.Properties[fd.Key] = v
		}
	}
	return f
}
