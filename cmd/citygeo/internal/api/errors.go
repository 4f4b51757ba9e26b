package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"citygeo/data"
)

// Error is the body of every error response: {"error":{"code","message","field"}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error returns the message, after the field it names when it names one.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Error codes used across handlers.
const (
	CodeBadRequest   = "bad_request"
	CodeNotFound     = "not_found"
	CodeTooLarge     = "too_large"
	CodeInvalid      = "validation_failed"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotReady     = "not_ready"
	CodeUnavailable  = "unavailable" // a store the write needs is down (503); nothing changed
	CodeRateLimited  = "rate_limited"
	CodeConflict     = "conflict"
	CodeInternal     = "internal"
)

// BadParam is a 400 naming the query or body field at fault.
func BadParam(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound is a 404 for an unknown identifier.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Fail writes err as the JSON error body and aborts the handler chain. An *Error keeps its
// status; a *data.CodeError is a 400 on field; anything else is a 500 whose detail is logged,
// not sent.
func Fail(c *gin.Context, field string, err error) {
	var ae *Error
	var ce *data.CodeError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &ce):
		ae = BadParam(field, "%s", ce.Error())
	default:
		_ = c.Error(err)
		ae = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
	}
	c.Set(ctxError, ae) // for the access log
	if isAMapPath(c.Request.URL.Path) {
		c.Abort()
		amapWrite(c.Writer, c.Request, http.StatusOK, amapRefusal(ae))
		return
	}
	c.AbortWithStatusJSON(ae.Status, gin.H{"error": ae})
}

// refusedStatus returns the status a request was refused with: the HTTP status, or the door's
// refusal behind its HTTP 200 (amapRefusal), for the access log and the metrics.
func refusedStatus(c *gin.Context) int {
	st := c.Writer.Status()
	if st == http.StatusOK && c.Keys != nil {
		if e, ok := c.Keys[ctxError].(*Error); ok {
			return e.Status
		}
	}
	return st
}
