package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"citygeo/bench/loadgen"
)

// buildCitygeo returns the server of this checkout compiled: the executable `go run` keeps
// in the build cache (Go 1.24 on), so that a run after the first links nothing; `-exec echo`
// prints its path instead of running it. A first build prints its temporary copy, so the
// harness asks once more, and builds into dir when the cache keeps no executable.
func buildCitygeo(ctx context.Context, dir string) (string, error) {
	env, err := exec.CommandContext(ctx, "go", "env", "GOMOD", "GOCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	gomod, cache, _ := strings.Cut(strings.TrimSpace(string(env)), "\n")
	root := filepath.Dir(gomod)
	for range 2 {
		cmd := exec.CommandContext(ctx, "go", "run", "-exec", "echo", "./cmd/citygeo")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("go run ./cmd/citygeo: %w", err)
		}
		if bin := strings.TrimSpace(string(out)); strings.HasPrefix(bin, cache+string(filepath.Separator)) {
			return bin, nil
		}
	}
	bin := filepath.Join(dir, "citygeo")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/citygeo")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/citygeo: %v: %s", err, out)
	}
	return bin, nil
}

// runCitygeo imports the city into a fresh SQLite store, serves it with the tile cache off and
// measures every workload, the empty gin handler beside it.
func runCitygeo(ctx context.Context, c *Config, pin pinning, city *City, bin string, res *Results) error {
	db := filepath.Join(c.Work, "citygeo.db")
	old, _ := filepath.Glob(db + "*")
	for _, f := range old {
		_ = os.Remove(f)
	}
	c.Log("citygeo import of %s", city.Path)
	imp := pin.command(ctx, bin, "import", "-q", "--store", db, city.Path)
	t0 := time.Now()
	if out, err := imp.CombinedOutput(); err != nil {
		return fmt.Errorf("citygeo import: %v: %s", err, out)
	}
	sys := &res.Citygeo
	sys.LoadSeconds = time.Since(t0).Seconds()
	sys.LoadPeakRSS = peakRSS(imp)
	sys.LoadCPUSeconds = (imp.ProcessState.UserTime() + imp.ProcessState.SystemTime()).Seconds()
	sys.LoadHow = "`citygeo import` of the GeoPackage into an SQLite store, on the server core"

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	t0 = time.Now()
	srv, err := start(pin.command(ctx, bin, "serve", "--store", db, "--addr", addr, "--tile-cache-mb", "0",
		"--log-access=false", "--log-format", "json"), filepath.Join(c.Work, "citygeo-serve.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	ready, err := waitHTTP(ctx, "http://"+addr+"/readyz", t0, 15*time.Minute, srv.exited)
	if err != nil {
		return fmt.Errorf("citygeo serve: %w (log in %s)", err, srv.log.Name())
	}
	sys.ReadySeconds = ready.Seconds()
	if sys.RSSReady, _, err = rss(srv.pid()); err != nil {
		return err
	}
	c.Log("citygeo ready in %.1f s, RSS %s", sys.ReadySeconds, mb(sys.RSSReady))

	emptyAddr, err := freeAddr()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	emptyCmd := pin.command(ctx, self)
	emptyCmd.Env = append(os.Environ(), emptyEnv+"="+emptyAddr)
	empty, err := start(emptyCmd, filepath.Join(c.Work, "empty.log"))
	if err != nil {
		return err
	}
	defer empty.stop()
	if _, err := waitHTTP(ctx, "http://"+emptyAddr+"/", time.Now(), time.Minute, empty.exited); err != nil {
		return fmt.Errorf("empty gin handler: %w", err)
	}

	base := "http://" + addr
	if err := checkCitygeo(base, city, res); err != nil {
		return err
	}
	get := func(base string, pid int, paths []string) setup {
		return func(n int) (workload, error) {
			h, err := loadgen.NewHTTP(base, n, "")
			if err != nil {
				return workload{}, err
			}
			return workload{do: h.GET(paths), done: func() {}, cpu: processCPU(pid)}, nil
		}
	}
	gridPaths, locatePaths := locatePaths(city.Points, "&k=0"), locatePaths(city.Points, "")
	nearestPaths := make([]string, len(city.Points))
	for i, p := range city.Points {
		nearestPaths[i] = fmt.Sprintf("/v1/locate?lng=%.6f&lat=%.6f&k=1&radius=5000&class=%s", p[0], p[1], city.Classes[i%len(city.Classes)])
	}
	tilePaths := make([]string, len(city.Tiles))
	for i, t := range city.Tiles {
		tilePaths[i] = fmt.Sprintf("/tiles/city/%d/%d/%d.mvt?layers=grids", t.Z, t.X, t.Y)
	}
	bodies := batchBodies(city.Points)
	steps := []struct {
		name, system string
		per          int
		open         setup
		rate         func(conns int) float64 // open loop; nil: closed
	}{
		{mGrid, sysCitygeo, 1, get(base, srv.pid(), gridPaths), nil},
		{mGrid, sysEmpty, 1, get("http://"+emptyAddr, empty.pid(), []string{"/"}), nil},
		{mGridOpen, sysCitygeo, 1, get(base, srv.pid(), gridPaths), res.shareOf(mGrid, sysCitygeo)},
		{mGridOpen, sysEmpty, 1, get("http://"+emptyAddr, empty.pid(), []string{"/"}), res.shareOf(mGrid, sysEmpty)},
		{mLocate5, sysCitygeo, 1, get(base, srv.pid(), locatePaths), nil},
		{mNearest, sysCitygeo, 1, get(base, srv.pid(), nearestPaths), nil},
		{mNearestOpen, sysCitygeo, 1, get(base, srv.pid(), nearestPaths), res.shareOf(mNearest, sysCitygeo)},
		{mBatch, sysCitygeo, batchSize, func(n int) (workload, error) {
			h, err := loadgen.NewHTTP(base, n, "")
			if err != nil {
				return workload{}, err
			}
			return workload{do: h.POST("/v1/locate/batch", "application/json", bodies), done: func() {}, cpu: processCPU(srv.pid())}, nil
		}, nil},
		{mTile, sysCitygeo, 1, get(base, srv.pid(), tilePaths), nil},
	}
	for _, s := range steps {
		if err := measure(ctx, c, res, s.name, s.system, s.per, s.open, s.rate); err != nil {
			return err
		}
	}

	// The mixed load: every read workload interleaved, request by request, at 16 connections.
	var mixed []string
	for i := range max(len(gridPaths), len(tilePaths)) {
		mixed = append(mixed, gridPaths[i%len(gridPaths)], locatePaths[i%len(locatePaths)],
			nearestPaths[i%len(nearestPaths)], tilePaths[i%len(tilePaths)])
	}
	h, err := loadgen.NewHTTP(base, 16, "")
	if err != nil {
		return err
	}
	c.Log("citygeo mixed load for %v", c.Mixed)
	sys.Mixed = loadgen.Run(ctx, loadgen.Options{Conns: 16, Duration: c.Mixed}, h.GET(mixed))
	if sys.RSSAfter, sys.RSSPeak, err = rss(srv.pid()); err != nil {
		return err
	}
	sys.CPUSeconds = cpuSeconds(srv.pid())
	c.Log("citygeo RSS after the runs %s (peak %s)", mb(sys.RSSAfter), mb(sys.RSSPeak))
	return ctx.Err()
}

func locatePaths(points []orb.Point, extra string) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = fmt.Sprintf("/v1/locate?lng=%.6f&lat=%.6f%s", p[0], p[1], extra)
	}
	return out
}

// WriteBodies writes the batch measure's request bodies, one a line, to path: the same query
// points a run of c sends, from the city a run before generated in c.Work (it generates none).
func WriteBodies(ctx context.Context, c Config, path string) error {
	c.Defaults()
	if _, err := os.Stat(filepath.Join(c.Work, fmt.Sprintf("city-%d.gpkg", c.Grids))); err != nil {
		return fmt.Errorf("no generated city to take the points from (run the harness once): %w", err)
	}
	city, err := prepareCity(ctx, &c, "")
	if err != nil {
		return err
	}
	var b []byte
	for _, body := range batchBodies(city.Points) {
		b = append(append(b, body...), '\n')
	}
	return os.WriteFile(path, b, 0o644)
}

// batchBodies cuts the points into POST /v1/locate/batch bodies of batchSize points, grid only.
func batchBodies(points []orb.Point) [][]byte {
	var out [][]byte
	for i := 0; i+batchSize <= len(points); i += batchSize {
		b := []byte(`{"k":0,"points":[`)
		for j, p := range points[i : i+batchSize] {
			if j > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"lng":%.6f,"lat":%.6f}`, p[0], p[1])
		}
		out = append(out, append(b, "]}"...))
	}
	return out
}

// checkCitygeo asks citygeo once for the first points and every tile and keeps the answers
// that the comparison with the peers checks (grids, nearest ids, tile sizes).
func checkCitygeo(base string, city *City, res *Results) error {
	h, err := loadgen.NewHTTP(base, 1, "")
	if err != nil {
		return err
	}
	for i, p := range city.Points[:min(len(city.Points), checkPoints)] {
		var grid, near struct {
			Outside bool `json:"outside"`
			Snapped bool `json:"snapped"`
			Grid    *struct {
				Code string `json:"code"`
			} `json:"grid"`
			Components []struct {
				ID string `json:"id"`
			} `json:"components"`
		}
		for _, q := range []struct {
			path string
			dst  any
		}{
			{fmt.Sprintf("/v1/locate?lng=%.6f&lat=%.6f&k=0", p[0], p[1]), &grid},
			{fmt.Sprintf("/v1/locate?lng=%.6f&lat=%.6f&k=1&radius=5000&class=%s", p[0], p[1], city.Classes[i%len(city.Classes)]), &near},
		} {
			status, body, err := h.Bytes(q.path)
			if err != nil || status != 200 {
				return fmt.Errorf("citygeo %s: status %d, %v: %s", q.path, status, err, body)
			}
			if err := json.Unmarshal(body, q.dst); err != nil {
				return fmt.Errorf("citygeo %s: %w", q.path, err)
			}
		}
		a := answer{}
		if grid.Grid != nil && !grid.Outside && !grid.Snapped {
			a.Grid = grid.Grid.Code
		}
		if len(near.Components) > 0 {
			a.Nearest = near.Components[0].ID
		}
		res.Citygeo.Answers = append(res.Citygeo.Answers, a)
	}
	sizes := tileSizes{}
	for _, t := range city.Tiles {
		status, body, err := h.Bytes(fmt.Sprintf("/tiles/city/%d/%d/%d.mvt?layers=grids", t.Z, t.X, t.Y))
		if err != nil || (status != 200 && status != 204) {
			return fmt.Errorf("citygeo tile %v: status %d, %v", t, status, err)
		}
		sizes.add(len(body))
	}
	res.Citygeo.Tiles = sizes
	return nil
}

// checkPoints is how many query points each system answers once for the agreement check.
const checkPoints = 200

// answer is what a system said for one check point: the grid the point lies in ("" when none
// or when citygeo snapped it from outside) and the nearest component of the point's class.
type answer struct {
	Grid    string `json:"grid"`
	Nearest string `json:"nearest"`
}

// tileSizes sums the tiles of one pass over every z15 tile.
type tileSizes struct {
	NonEmpty int   `json:"non_empty"`
	Bytes    int64 `json:"bytes"`
}

func (s *tileSizes) add(n int) {
	if n > 0 {
		s.NonEmpty++
		s.Bytes += int64(n)
	}
}

// Mean is the mean size of a non-empty tile.
func (s tileSizes) Mean() float64 {
	if s.NonEmpty == 0 {
		return 0
	}
	return float64(s.Bytes) / float64(s.NonEmpty)
}

func mb(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 0, 64) + " MB" }
