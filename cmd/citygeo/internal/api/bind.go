package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes a JSON body of at most limit bytes into v, rejecting unknown fields so a
// typo in a field name is an error rather than a silent default.
func bindJSON(c *gin.Context, v any, limit int64) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: fmt.Sprintf("body larger than %d bytes", limit)}
		case errors.As(err, &ute):
			return BadParam(ute.Field, "want a JSON %s, got %s", ute.Type, ute.Value)
		case errors.Is(err, io.EOF):
			return BadParam("body", "empty body; want JSON")
		}
		return BadParam("body", "invalid JSON: %v", err)
	}
	if dec.More() {
		return BadParam("body", "trailing data after the JSON value")
	}
	return nil
}
