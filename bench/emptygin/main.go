// Command emptygin serves an empty handler on bare gin (gin.New(), no middleware), the
// ceiling an HTTP route of citygeo is compared with: the same net/http server and router, no
// work. Every GET path answers 200 with "{}".
//
//	taskset -c 0 go run ./bench/emptygin -listen 127.0.0.1:8090
//	taskset -c 1 go run ./bench/load -c 16 -d 10s 'http://127.0.0.1:8090/v1/locate?lng=114.05&lat=22.54'
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to serve on (loopback)")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	body := []byte("{}")
	empty := func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", body) }
	e.GET("/v1/locate", empty) // routed as citygeo's own, so the router's work is the same
	e.NoRoute(empty)
	srv := &http.Server{Addr: *listen, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "emptygin:", err)
		os.Exit(1)
	}
}
