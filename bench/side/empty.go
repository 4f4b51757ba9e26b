package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

// emptyEnv names the address this binary, started again by the harness, serves the empty
// handler on. A child process rather than a goroutine, so that it runs pinned to the server
// core while the harness generates load from the other.
const emptyEnv = "CITYGEO_SIDE_EMPTY_ADDR"

// serveEmptyFromEnv serves the empty gin handler when this process was started as one, and
// reports whether it was (then it returns only when serving fails).
func serveEmptyFromEnv() bool {
	addr := os.Getenv(emptyEnv)
	if addr == "" {
		return false
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// The floor of any gin route: routing, a context from the pool, a status and no body.
	r.GET("/", func(c *gin.Context) { c.Status(http.StatusOK) })
	if err := http.ListenAndServe(addr, r); err != nil {
		os.Stderr.WriteString("side: empty handler: " + err.Error() + "\n")
		os.Exit(1)
	}
	return true
}
